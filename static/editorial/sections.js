// The post's sections on the change form: each shows the fields its type needs, and can be moved
// with Move up / Move down or by dragging. Only classes change and position inputs are rewritten:
// every input stays in the form, so the save is the form's ordinary one. Without this script every
// field and the position inputs show, and the form works the same. A file of its own: the admin's
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var group = document.getElementById("sections-group");
  var configElement = document.getElementById("section-fields");
  if (!group) {
    return;
  }
  var config = configElement ? JSON.parse(configElement.textContent) : null;
  var status = document.createElement("p");
  status.className = "section-order-status";
  status.setAttribute("role", "status");
  var heading = group.querySelector(".inline-heading");
  (heading ? heading.parentNode : group).insertBefore(status, heading ? heading.nextSibling : group.firstChild);
  group.classList.add("sections-ordered");

  function forms() {
    return Array.prototype.filter.call(group.querySelectorAll(".inline-related"), function (form) {
      return !form.classList.contains("empty-form");
    });
  }

  function input(form, name) {
    return form.querySelector('[name$="-' + name + '"]');
  }

  function row(form, name) {
    return form.querySelector(".form-row.field-" + name);
  }

  function hasErrors(element) {
    return Boolean(element && element.querySelector(".errorlist"));
  }

  function holdsValue(form, name) {
    var field = input(form, name);
    return Boolean(field && field.value.trim() !== "");
  }

  // --- fields by type ---

  function note(fieldRow, text) {
    var existing = fieldRow.querySelector(".section-field-note");
    if (!text) {
      if (existing) {
        existing.remove();
      }
      return;
    }
    if (!existing) {
      existing = document.createElement("p");
      existing.className = "section-field-note";
      fieldRow.appendChild(existing);
    }
    existing.textContent = text;
  }

  function showFieldsOfType(form) {
    if (!config) {
      return;
    }
    var select = input(form, "content_type");
    var kind = select ? config.types[select.value] : null;
    Object.keys(config.types).forEach(function (key) {
      form.classList.toggle("section-type-" + key, Boolean(select) && select.value === key);
    });
    config.bound.forEach(function (name) {
      var fieldRow = row(form, name);
      if (!fieldRow) {
        return;
      }
      var source = name === "image_details" ? "image" : name;
      var shown = !kind || kind.shows.indexOf(name) !== -1;
      var kept = !shown && (holdsValue(form, source) || hasErrors(row(form, source)));
      fieldRow.classList.toggle("section-field-off", !shown && !kept);
      var foreignMedia = kept && name === source && config.media.indexOf(name) !== -1;
      note(fieldRow, foreignMedia ? kind.label + " section does not use this field: clear it or change the type." : "");
    });
  }

  function noteNewImage(form) {
    var image = input(form, "image");
    var details = row(form, "image_details");
    if (image && details) {
      var changed = image.value.trim() !== image.defaultValue.trim();
      var text = changed ? "Another image is chosen: save to see it here." : "";
      var readonly = details.querySelector(".readonly") || details;
      var hint = readonly.querySelector(".section-image-new");
      if (!hint && text) {
        hint = document.createElement("p");
        hint.className = "section-image-new";
        readonly.insertBefore(hint, readonly.firstChild);
      }
      if (hint) {
        hint.textContent = text;
        hint.hidden = !text;
      }
    }
  }

  // --- order ---

  function label(form) {
    var text = form.querySelector(".inline_label");
    var name = text ? text.textContent.trim() : "";
    return name && name.charAt(0) !== "#" ? name : "The new section"; // unsaved ones are labelled #n
  }

  function numberOf(form, key) {
    if (key === "index") {
      return parseInt(form.id.split("-").pop(), 10);
    }
    var value = parseInt((input(form, "position") || {}).value, 10);
    return isNaN(value) ? Infinity : value;
  }

  // Puts the forms in the order of their positions (or of their indexes, which Django's inline
  // script needs when it renumbers the forms after an unsaved one is removed).
  function sortBy(key) {
    var list = forms();
    if (!list.length) {
      return;
    }
    var parent = list[0].parentNode;
    var anchor = parent.querySelector(":scope > .empty-form") || list[list.length - 1].nextSibling;
    list
      .map(function (form, order) {
        return { form: form, number: numberOf(form, key), order: order };
      })
      .sort(function (a, b) {
        return a.number - b.number || a.order - b.order;
      })
      .forEach(function (item) {
        parent.insertBefore(item.form, anchor);
      });
  }

  function renumber() {
    var list = forms();
    list.forEach(function (form, index) {
      var position = input(form, "position");
      var value = String(index + 1);
      if (position && position.value !== value) {
        position.value = value;
        position.dispatchEvent(new Event("change", { bubbles: true })); // autosave notices the move
      }
      var positionRow = row(form, "position");
      if (positionRow) {
        positionRow.classList.toggle("section-field-off", !hasErrors(positionRow));
      }
      var badge = form.querySelector(".section-position-badge");
      if (badge) {
        badge.textContent = index + 1 + " of " + list.length;
      }
      var up = form.querySelector(".section-move-up");
      var down = form.querySelector(".section-move-down");
      if (up && down) {
        up.setAttribute("aria-disabled", String(index === 0));
        down.setAttribute("aria-disabled", String(index === list.length - 1));
      }
    });
  }

  function announce(form) {
    var list = forms();
    status.textContent = label(form) + " is now section " + (list.indexOf(form) + 1) + " of " + list.length + ".";
  }

  function place(form, reference) {
    var focused = document.activeElement;
    form.parentNode.insertBefore(form, reference);
    renumber();
    announce(form);
    if (focused && form.contains(focused) && document.activeElement !== focused) {
      focused.focus(); // moving a node drops the focus inside it
    }
  }

  function move(form, step) {
    var list = forms();
    var target = list[list.indexOf(form) + step];
    if (target) {
      place(form, step < 0 ? target : target.nextSibling);
    }
  }

  function addTools(form) {
    var header = form.querySelector("h3");
    if (!header || !input(form, "position") || header.querySelector(".section-tools")) {
      return;
    }
    var badge = document.createElement("span");
    badge.className = "section-position-badge";
    header.insertBefore(badge, header.firstChild);
    var tools = document.createElement("span");
    tools.className = "section-tools";
    var handle = document.createElement("span");
    handle.className = "section-drag-handle";
    handle.draggable = true;
    handle.title = "Drag to move this section";
    handle.setAttribute("aria-hidden", "true");
    handle.textContent = "⠿ Drag";
    tools.appendChild(handle);
    [
      ["section-move-up", "Move up"],
      ["section-move-down", "Move down"],
    ].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button " + spec[0];
      button.textContent = spec[1];
      tools.appendChild(button);
    });
    var deletion = header.querySelector(".delete");
    header.insertBefore(tools, deletion);
  }

  group.addEventListener("click", function (event) {
    var button = event.target.closest(".section-move-up, .section-move-down");
    if (!button) {
      return;
    }
    event.preventDefault();
    if (button.getAttribute("aria-disabled") !== "true") {
      move(button.closest(".inline-related"), button.classList.contains("section-move-up") ? -1 : 1);
    }
  });

  // Removing an unsaved form: Django renumbers the forms in page order, so that order must be the
  // forms' own for a moment; the positions then put them back where the editor left them.
  group.addEventListener(
    "click",
    function (event) {
      if (event.target.closest(".inline-deletelink")) {
        sortBy("index");
        window.setTimeout(function () {
          sortBy("position");
          renumber();
        }, 0);
      }
    },
    true,
  );

  group.addEventListener("change", function (event) {
    var form = event.target.closest(".inline-related");
    if (!form) {
      return;
    }
    if (/-content_type$/.test(event.target.name)) {
      showFieldsOfType(form);
    } else if (/-image$/.test(event.target.name)) {
      noteNewImage(form);
    }
  });
  group.addEventListener("input", function (event) {
    if (/-image$/.test(event.target.name || "")) {
      noteNewImage(event.target.closest(".inline-related"));
    }
  });

  document.addEventListener("formset:added", function (event) {
    if (event.detail && event.detail.formsetName === "sections") {
      addTools(event.target);
      showFieldsOfType(event.target);
      renumber();
      announce(event.target);
    }
  });

  // --- drag and drop ---

  var dragged = null;

  function clearMarks() {
    group.querySelectorAll(".section-drop-before, .section-drop-after").forEach(function (form) {
      form.classList.remove("section-drop-before", "section-drop-after");
    });
  }

  function dropTarget(event) {
    var target = event.target.closest ? event.target.closest(".inline-related") : null;
    if (!dragged || !target || target === dragged || target.classList.contains("empty-form")) {
      return null;
    }
    var box = target.getBoundingClientRect();
    return { form: target, before: event.clientY < box.top + box.height / 2 };
  }

  group.addEventListener("dragstart", function (event) {
    var handle = event.target.closest ? event.target.closest(".section-drag-handle") : null;
    if (!handle) {
      return;
    }
    dragged = handle.closest(".inline-related");
    dragged.classList.add("section-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", label(dragged));
    event.dataTransfer.setDragImage(dragged, 16, 16);
  });
  group.addEventListener("dragover", function (event) {
    var target = dropTarget(event);
    if (target) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      clearMarks();
      target.form.classList.add(target.before ? "section-drop-before" : "section-drop-after");
    }
  });
  group.addEventListener("drop", function (event) {
    var target = dropTarget(event);
    if (target) {
      event.preventDefault();
      place(dragged, target.before ? target.form : target.form.nextSibling);
    }
  });
  group.addEventListener("dragend", function () {
    clearMarks();
    if (dragged) {
      dragged.classList.remove("section-dragging");
      dragged = null;
    }
  });

  // --- start ---

  group.querySelectorAll(".inline-related").forEach(function (form) {
    addTools(form); // the empty form too: Django copies it for "Add another section"
    showFieldsOfType(form);
  });
  sortBy("position"); // a working copy's sections not yet live come last in the page, not in the post
  renumber();
})();
