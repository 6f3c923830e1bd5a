// Autosave of the post change form: kept on the server every few seconds of editing and when the
// page is left, with a warning before leaving unsaved changes. A file of its own: the admin's
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var status = document.getElementById("autosave-status");
  var form = document.getElementById("post_form");
  if (!status || !form) {
    return;
  }
  var url = status.dataset.url;
  var interval = Math.max(1, parseInt(status.dataset.seconds, 10) || 20) * 1000;
  var dirty = false;
  var submitting = false;

  function say(text) {
    status.textContent = text;
  }

  function payload() {
    return new URLSearchParams(new FormData(form));
  }

  function keep() {
    if (!dirty || submitting) {
      return;
    }
    dirty = false;
    fetch(url, {
      method: "POST",
      body: payload(),
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          say(response.ok ? answer.message : "Not kept: " + answer.error);
        });
      })
      .catch(function () {
        dirty = true; // try again at the next tick
        say("Unsaved changes could not be kept just now; retrying.");
      });
  }

  function changed() {
    if (!submitting) {
      dirty = true;
      form.dataset.unsaved = "true";
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    submitting = true;
    delete form.dataset.unsaved;
  });
  window.setInterval(keep, interval);
  // Leaving: keep what was typed (a beacon survives the page), and warn first.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty && !submitting && navigator.sendBeacon) {
      navigator.sendBeacon(url, payload());
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (form.dataset.unsaved && !submitting) {
      if (navigator.sendBeacon) {
        navigator.sendBeacon(url, payload());
      }
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
