// The change page's content checks: re-run on the unsaved form as the editor types (debounced, one request
// at a time, the newest answer wins), and each problem's link takes the editor to the field to fix,
// unfolding what hides it. A file of its own: the admin's CSP allows no inline script.
(function () {
  "use strict";
  var WAIT_MS = 700;
  var panel = document.getElementById("checklist");
  var form = document.getElementById("post_form");
  if (!panel) {
    return;
  }
  var items = panel.querySelector("[data-checklist-items]");
  var status = panel.querySelector("[data-checklist-status]");
  var count = panel.querySelector("[data-checklist-count]");
  var timer = null;
  var sent = 0;
  var shown = 0;

  function recheck() {
    var number = ++sent;
    status.textContent = "Checking…";
    panel.setAttribute("aria-busy", "true");
    fetch(panel.dataset.url, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)), // urlencoded: far quicker to read than multipart
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        if (number < shown) {
          return; // an older request answered last: the newer answer stays
        }
        shown = number;
        items.innerHTML = answer.html; // the server's template, escaped there
        count.textContent = answer.count;
        if (number === sent) {
          status.textContent = answer.summary;
          panel.removeAttribute("aria-busy");
        }
      })
      .catch(function () {
        if (number === sent) {
          status.textContent = "The checks could not be run just now; they run again as you type.";
          panel.removeAttribute("aria-busy");
        }
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(recheck, WAIT_MS);
  }

  if (form && panel.dataset.url) {
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("drop", later); // a section dragged into place
    form.addEventListener("click", function (event) {
      // Sections moved, added or removed by their buttons: positions and forms change without typing.
      if (event.target.closest && event.target.closest("#sections-group button, #sections-group a")) {
        later();
      }
    });
    document.addEventListener("formset:added", later);
    document.addEventListener("formset:removed", later);
  }

  function reveal(target) {
    // Unfold the <details> (a collapsed fieldset, the Advanced fields) around the field.
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) {
        node.open = true;
      }
    }
  }

  function focusable(target) {
    if (target.matches("input, select, textarea, button, a[href]")) {
      return target;
    }
    var inside = target.querySelectorAll("input:not([type=hidden]), select, textarea, button, a[href]");
    for (var i = 0; i < inside.length; i++) {
      if (inside[i].getClientRects().length) {
        return inside[i]; // the first one shown (the add-row link of an empty list of sections)
      }
    }
    target.setAttribute("tabindex", "-1");
    return target;
  }

  panel.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-focus]") : null;
    var target = link && document.getElementById(link.dataset.focus);
    if (!target) {
      return; // the browser follows the anchor as it can
    }
    event.preventDefault();
    reveal(target);
    var field = focusable(target);
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
    field.classList.add("checklist-target");
    window.setTimeout(function () {
      field.classList.remove("checklist-target");
    }, 2000);
  });
})();
