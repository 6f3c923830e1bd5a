// The change page's folding panels (workflow, LLM suggestions): each remembers whether the editor
// left it open or closed, in this browser only. A file of its own: the admin's CSP allows no inline script.
(function () {
  "use strict";
  var PREFIX = "editorial:panel:";

  function read(key) {
    try {
      return window.localStorage.getItem(PREFIX + key);
    } catch (error) {
      return null; // storage refused (private mode, policy): panels simply start open
    }
  }

  function write(key, value) {
    try {
      window.localStorage.setItem(PREFIX + key, value);
    } catch (error) {
      // nothing to remember with
    }
  }

  document.querySelectorAll("details[data-remember]").forEach(function (panel) {
    var key = panel.dataset.remember;
    var targeted = panel.id && window.location.hash === "#" + panel.id; // just used: keep it open
    var stored = read(key);
    if (stored === "closed" && !targeted) {
      panel.open = false;
    } else if (stored === "open") {
      panel.open = true;
    }
    panel.addEventListener("toggle", function () {
      write(key, panel.open ? "open" : "closed");
    });
  });
})();
