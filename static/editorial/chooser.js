// The image chooser: next to each image field marked data-image-chooser (the admin's raw-id field), a
// "Choose an image" button opens a modal <dialog> with the media library's images (search, filters,
// pages) and an upload form. Choosing or uploading fills the field and shows the image at once in the
// section's "Chosen image" row. Keyboard: Enter opens, the arrow keys move through the images, Enter
// chooses, Escape closes and the focus returns to the button. Without this script the raw-id field
// works on its own. A file of its own: the admin's Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var dialog = null;
  var opener = null; // the button that opened the dialog
  var field = null; // the image input being chosen for
  var searchTimer = null;

  function chooserUrl(input) {
    return input.getAttribute("data-image-chooser");
  }

  function fetchHtml(url, options) {
    var settings = { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } };
    return fetch(url, Object.assign(settings, options || {})).then(
      function (response) {
        return response.text().then(function (text) {
          return { ok: response.ok, status: response.status, html: text };
        });
      },
      function () {
        var html = '<p class="errornote">The server could not be reached: check the connection and try again.</p>';
        return { ok: false, status: 0, html: html };
      },
    );
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  // --- the field's button and preview ---

  function addButton(input) {
    if (!chooserUrl(input) || input.dataset.chooserReady) {
      return;
    }
    input.dataset.chooserReady = "true";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button image-chooser-open";
    button.textContent = "Choose an image";
    button.setAttribute("aria-haspopup", "dialog");
    var holder = input.parentNode.tagName === "DIV" ? input.parentNode : input; // the raw-id widget's <div>
    holder.parentNode.insertBefore(button, holder.nextSibling);
  }

  function detailsOf(input) {
    var form = input.closest(".inline-related") || input.closest("form");
    var row = form ? form.querySelector(".form-row.field-image_details .readonly") : null;
    return row;
  }

  function showChosen(input, html) {
    var content = fragment(html);
    var chosen = content.querySelector(".chosen-image");
    var details = detailsOf(input);
    if (details) {
      details.innerHTML = "";
      details.appendChild(content);
    }
    var label = input.parentNode.querySelector("strong");
    if (chosen) {
      if (!label) {
        label = document.createElement("strong");
        input.parentNode.appendChild(label);
      }
      label.innerHTML = "";
      var link = document.createElement("a");
      link.href = chosen.dataset.changeUrl;
      link.textContent = chosen.dataset.label;
      label.appendChild(link);
    } else if (label) {
      label.remove();
    }
  }

  function refreshPreview(input) {
    var value = input.value.trim();
    if (!value) {
      var details = detailsOf(input);
      if (details) {
        details.textContent = "No image chosen yet: choose one above (or type its number and save).";
      }
      return Promise.resolve();
    }
    return fetchHtml(chooserUrl(input) + encodeURIComponent(value) + "/").then(function (answer) {
      if (input.value.trim() === value) {
        showChosen(input, answer.html);
      }
    });
  }

  function setValue(input, id, html) {
    input.value = id;
    input.dispatchEvent(new Event("input", { bubbles: true })); // autosave notices
    input.dispatchEvent(new Event("change", { bubbles: true }));
    showChosen(input, html);
  }

  // --- the dialog ---

  function say(text) {
    var status = dialog.querySelector(".image-chooser-status");
    status.textContent = text;
  }

  function makeDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "image-chooser";
    dialog.setAttribute("aria-labelledby", "image-chooser-title");
    dialog.innerHTML =
      '<div class="image-chooser-head"><h2 id="image-chooser-title">Choose an image</h2>' +
      '<button type="button" class="button image-chooser-close">Close</button></div>' +
      '<p class="image-chooser-status" role="status"></p><div class="image-chooser-body"></div>';
    document.body.appendChild(dialog); // outside the post form: its inputs are never posted with it
    dialog.addEventListener("close", function () {
      if (opener && document.contains(opener)) {
        opener.focus();
      }
    });
    dialog.querySelector(".image-chooser-close").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("click", onClick);
    dialog.addEventListener("keydown", onKey);
    dialog.addEventListener("input", onFilter);
    dialog.addEventListener("change", onFilter);
    dialog.addEventListener("submit", onSubmit);
  }

  function open(button) {
    var input = button.parentNode.querySelector("[data-image-chooser]");
    if (!input) {
      return;
    }
    if (!dialog) {
      makeDialog();
    }
    opener = button;
    field = input;
    say("Loading the images…");
    dialog.querySelector(".image-chooser-body").innerHTML = "";
    dialog.showModal();
    fetchHtml(chooserUrl(input)).then(function (answer) {
      dialog.querySelector(".image-chooser-body").innerHTML = answer.html;
      say(answer.ok ? "" : "The images could not be listed.");
      var search = dialog.querySelector("#image-chooser-q");
      if (search) {
        search.focus();
      }
    });
  }

  function filters(page) {
    var form = dialog.querySelector(".image-chooser-filters");
    var params = new URLSearchParams(new FormData(form));
    params.set("results", "1");
    if (page) {
      params.set("page", page);
    }
    return params;
  }

  function search(page, focusFirst) {
    var params = filters(page);
    return fetchHtml(chooserUrl(field) + "?" + params.toString()).then(function (answer) {
      var results = dialog.querySelector(".image-chooser-results");
      results.innerHTML = answer.html;
      if (focusFirst) {
        var first = results.querySelector(".image-chooser-result");
        (first || dialog.querySelector("#image-chooser-q")).focus();
      }
    });
  }

  function choose(id) {
    var input = field;
    say("Choosing…");
    return fetchHtml(chooserUrl(input) + encodeURIComponent(id) + "/").then(function (answer) {
      if (!answer.ok) {
        say("This image cannot be chosen: it may have been deleted. Search again.");
        return;
      }
      setValue(input, id, answer.html);
      dialog.close();
    });
  }

  function onClick(event) {
    var result = event.target.closest(".image-chooser-result");
    if (result) {
      choose(result.dataset.imageId);
      return;
    }
    var pageButton = event.target.closest("[data-page]");
    if (pageButton) {
      search(pageButton.dataset.page, true);
    }
  }

  function onFilter(event) {
    if (!event.target.closest(".image-chooser-filters")) {
      return;
    }
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(function () {
      search(null, false);
    }, event.type === "input" && event.target.type === "search" ? 250 : 0);
  }

  function onSubmit(event) {
    var form = event.target;
    event.preventDefault();
    if (form.classList.contains("image-chooser-filters")) {
      window.clearTimeout(searchTimer);
      search(null, true); // Enter in the search box: to the first image found
      return;
    }
    if (form.classList.contains("image-chooser-upload-form")) {
      var input = field;
      say("Uploading…");
      fetchHtml(form.action, { method: "POST", body: new FormData(form) }).then(function (answer) {
        if (answer.ok) {
          var chosen = fragment(answer.html).querySelector(".chosen-image");
          setValue(input, chosen.dataset.imageId, answer.html);
          dialog.close();
          return;
        }
        say("Nothing was uploaded: see the message in the upload form.");
        dialog.querySelector(".image-chooser-upload").innerHTML = answer.html;
        var wrong = dialog.querySelector(".image-chooser-upload .errors input, .image-chooser-upload input[type=file]");
        if (wrong) {
          wrong.focus();
        }
      });
    }
  }

  // Arrow keys move through the images, row by row; Home and End go to the first and last.
  function onKey(event) {
    var results = Array.prototype.slice.call(dialog.querySelectorAll(".image-chooser-result"));
    if (event.target.id === "image-chooser-q" && event.key === "ArrowDown" && results.length) {
      event.preventDefault();
      results[0].focus();
      return;
    }
    var index = results.indexOf(event.target);
    if (index === -1) {
      return;
    }
    var top = results[0].offsetTop;
    var columns = results.filter(function (item) {
      return item.offsetTop === top;
    }).length || 1;
    var steps = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
    var target = null;
    if (event.key in steps) {
      target = results[index + steps[event.key]];
      if (!target && event.key === "ArrowUp") {
        target = dialog.querySelector("#image-chooser-q");
      }
    } else if (event.key === "Home") {
      target = results[0];
    } else if (event.key === "End") {
      target = results[results.length - 1];
    }
    if (target) {
      event.preventDefault();
      target.focus();
    }
  }

  // --- start ---

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".image-chooser-open") : null;
    if (button) {
      event.preventDefault();
      open(button);
    }
  });
  // A number typed into the field, or set by the admin's lookup and add popups (they announce it through
  // the admin's jQuery): show that image. The change this script sends itself is left alone.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(document).on("change", "[data-image-chooser]", function (event) {
      if (!event.originalEvent || event.originalEvent.isTrusted) {
        refreshPreview(this);
      }
    });
  } else {
    document.addEventListener("change", function (event) {
      if (event.isTrusted && event.target.matches && event.target.matches("[data-image-chooser]")) {
        refreshPreview(event.target);
      }
    });
  }
  // Back from fixing an image's alt text in another tab: show the images still warned about afresh.
  window.addEventListener("focus", function () {
    document.querySelectorAll(".chosen-image-no-alt").forEach(function (warning) {
      var form = warning.closest(".inline-related");
      var input = form ? form.querySelector("[data-image-chooser]") : null;
      if (input) {
        refreshPreview(input);
      }
    });
  });
  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll("[data-image-chooser]").forEach(addButton);
  });

  function start() {
    document.querySelectorAll("[data-image-chooser]").forEach(addButton);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
