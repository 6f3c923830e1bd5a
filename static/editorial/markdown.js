// Writing on the post's change form: a Markdown toolbar over each text (bold, italic, heading, link,
// list, quote, code; Ctrl/Cmd+B, I, K), a live preview of each text section rendered by the server
// with the readers' own code and templates, the reading time of the post and of each section, and a
// preview of the whole post in a new tab. The preview and the counts are POSTs of the form's current
// fields (JSON, the CSRF token in its header) to staff-only views (content/editorial/preview_admin.py);
// nothing is saved. Without this script the form is the plain one. A file of its own: the admin's
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.getElementById("post_form");
  var tokenInput = form && form.querySelector("[name=csrfmiddlewaretoken]");
  if (!script || !form || !tokenInput) {
    return;
  }
  var urls = { section: script.dataset.sectionUrl, counts: script.dataset.countsUrl, page: script.dataset.pageUrl };
  var PREVIEW_DELAY = 250; // ms after the last key: one request per pause in typing, not per key
  var COUNT_DELAY = 400;
  var SECTION_FIELDS = ["content_type", "title", "subtitle", "content", "image", "video_url", "audio_url", "duration", "position"];
  var made = 0;

  // --- editing the text ---

  // Replaces the selection with text (undoable where the browser can), then selects [from, to) of it.
  function put(textarea, text, from, to) {
    var start = textarea.selectionStart;
    textarea.focus();
    var done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (error) {
      done = false;
    }
    if (!done) {
      textarea.setRangeText(text, start, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    textarea.setSelectionRange(start + from, start + to);
  }

  // Bold, italic, inline code: wraps the selection (or a placeholder) in the mark, or unwraps it.
  function wrap(textarea, mark, placeholder) {
    var value = textarea.value;
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    while (end > start && /\s/.test(value.charAt(end - 1))) {
      end -= 1; // a double-click's trailing space stays outside the marks
    }
    var inside = value.slice(start, end);
    var size = mark.length;
    if (value.slice(start - size, start) === mark && value.slice(end, end + size) === mark) {
      textarea.setSelectionRange(start - size, end + size);
      put(textarea, inside, 0, inside.length);
      return;
    }
    if (inside.length >= 2 * size && inside.slice(0, size) === mark && inside.slice(-size) === mark) {
      textarea.setSelectionRange(start, end);
      var bare = inside.slice(size, -size);
      put(textarea, bare, 0, bare.length);
      return;
    }
    var text = inside || placeholder;
    textarea.setSelectionRange(start, end);
    put(textarea, mark + text + mark, size, size + text.length);
  }

  // Heading, list, quote: starts each selected line with the prefix, or takes it away from all of them.
  function prefixLines(textarea, prefix, pattern, placeholder) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var selectedEnd = textarea.selectionEnd;
    if (selectedEnd > textarea.selectionStart && value.charAt(selectedEnd - 1) === "\n") {
      selectedEnd -= 1;
    }
    var end = value.indexOf("\n", selectedEnd);
    end = end === -1 ? value.length : end;
    var lines = value.slice(start, end).split("\n");
    var filled = lines.filter(function (line) {
      return line.trim() !== "";
    });
    textarea.setSelectionRange(start, end);
    if (!filled.length) {
      put(textarea, prefix + placeholder, prefix.length, prefix.length + placeholder.length);
      return;
    }
    var off = filled.every(function (line) {
      return pattern.test(line);
    });
    var text = lines
      .map(function (line) {
        if (line.trim() === "") {
          return line;
        }
        return off ? line.replace(pattern, "") : prefix + line.replace(pattern, "");
      })
      .join("\n");
    put(textarea, text, 0, text.length);
  }

  function link(textarea) {
    var inside = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd).trim();
    if (/^(https?:\/\/|mailto:)\S+$/i.test(inside)) {
      put(textarea, "[link text](" + inside + ")", 1, 10); // the address is there: type its text
      return;
    }
    var text = inside || "link text";
    put(textarea, "[" + text + "](https://)", text.length + 3, text.length + 11); // type the address
  }

  function code(textarea) {
    var inside = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    if (inside.indexOf("\n") === -1) {
      wrap(textarea, "`", "code");
      return;
    }
    var before = textarea.selectionStart > 0 && textarea.value.charAt(textarea.selectionStart - 1) !== "\n" ? "\n" : "";
    var body = inside.replace(/\n$/, "");
    put(textarea, before + "```\n" + body + "\n```\n", before.length + 4, before.length + 4 + body.length);
  }

  var ACTIONS = [
    { name: "bold", label: "Bold", text: "B", key: "b", run: function (t) { wrap(t, "**", "bold text"); } },
    { name: "italic", label: "Italic", text: "I", key: "i", run: function (t) { wrap(t, "_", "italic text"); } },
    { name: "heading", label: "Heading", text: "H", run: function (t) { prefixLines(t, "## ", /^#{1,6}\s+/, "Heading"); } },
    { name: "link", label: "Link", text: "Link", key: "k", run: link },
    { name: "list", label: "List", text: "List", run: function (t) { prefixLines(t, "- ", /^[-*+]\s+/, "List item"); } },
    { name: "quote", label: "Quote", text: "Quote", run: function (t) { prefixLines(t, "> ", /^>\s?/, "Quotation"); } },
    { name: "code", label: "Code", text: "Code", run: code },
  ];
  var BY_KEY = {};
  ACTIONS.forEach(function (action) {
    if (action.key) {
      BY_KEY[action.key] = action;
    }
  });

  // --- talking to the server ---

  function post(url, fields) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": tokenInput.value, Accept: "application/json" },
      body: JSON.stringify(fields),
    }).then(function (response) {
      if (response.redirected) {
        return { error: "You are no longer logged in: log in again in another tab, then go on writing here." };
      }
      return response
        .json()
        .catch(function () {
          return { error: "The server answered " + response.status + " " + response.statusText + "." };
        })
        .then(function (answer) {
          if (!response.ok && !answer.error) {
            answer.error = "The server answered " + response.status + ".";
          }
          return answer;
        });
    });
  }

  function formFields() {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name.indexOf("__prefix__") === -1) {
        fields[name] = value;
      }
    });
    return fields;
  }

  // Calls work() ``delay`` ms after the last call.
  function later(delay, work) {
    var timer = null;
    return function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(work, delay);
    };
  }

  // A sender of requests whose answers are shown only while no newer one was sent.
  function newest() {
    var number = 0;
    return function (url, fields, show) {
      var mine = ++number;
      return post(url, fields)
        .catch(function () {
          return { error: "The server could not be reached." };
        })
        .then(function (answer) {
          if (mine === number) {
            show(answer);
          }
        });
    };
  }

  // --- a text's tools ---

  function prefixOf(textarea) {
    return textarea.name.replace(/-content$/, "");
  }

  function field(prefix, name) {
    return form.elements.namedItem(prefix ? prefix + "-" + name : name);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function toolbar(textarea) {
    var bar = element("div", "md-toolbar");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting");
    bar.setAttribute("aria-controls", textarea.id);
    ACTIONS.forEach(function (action, index) {
      var button = element("button", "md-button md-" + action.name, action.text);
      button.type = "button";
      button.tabIndex = index === 0 ? 0 : -1; // one stop in the tab order; arrow keys move inside
      button.setAttribute("aria-label", action.label);
      if (action.key) {
        var keys = action.key.toUpperCase();
        button.setAttribute("aria-keyshortcuts", "Control+" + keys + " Meta+" + keys);
        button.title = action.label + " (Ctrl+" + keys + " or ⌘" + keys + ")";
      } else {
        button.title = action.label;
      }
      button.dataset.action = action.name;
      bar.appendChild(button);
    });
    bar.addEventListener("mousedown", function (event) {
      if (event.target.closest("button")) {
        event.preventDefault(); // keep the text's selection
      }
    });
    bar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (button) {
        ACTIONS.filter(function (action) {
          return action.name === button.dataset.action;
        })[0].run(textarea);
      }
    });
    bar.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(bar.querySelectorAll("button"));
      var index = buttons.indexOf(document.activeElement);
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (index === -1 || next === undefined) {
        return;
      }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    return bar;
  }

  function shortcuts(event) {
    var action = BY_KEY[(event.key || "").toLowerCase()];
    if (action && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
      event.preventDefault();
      action.run(event.target);
    }
  }

  function sectionFields(prefix) {
    var fields = {};
    SECTION_FIELDS.forEach(function (name) {
      var input = field(prefix, name);
      if (input && typeof input.value === "string") {
        fields[name] = input.value;
      }
    });
    return fields;
  }

  var editors = []; // {textarea, text}: the count line of each text

  function setUp(textarea) {
    if (textarea.closest(".md-editor") || textarea.closest(".empty-form")) {
      return;
    }
    var section = textarea.id !== "id_content";
    var wrapper = element("div", "md-editor");
    textarea.parentNode.insertBefore(wrapper, textarea);
    wrapper.appendChild(toolbar(textarea));
    wrapper.appendChild(textarea);
    textarea.addEventListener("keydown", shortcuts);
    var count = element("p", "md-count");
    var text = element("span", "md-count-text");
    count.appendChild(text);
    wrapper.appendChild(count);
    editors.push({ textarea: textarea, text: text });
    if (!section) {
      return;
    }
    var showPreview = newest(); // each section's own: one preview's answer never hides another's
    var id = "md-preview-" + ++made;
    var toggle = element("button", "button md-preview-toggle", "Show preview");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", id);
    count.appendChild(toggle);
    var pane = element("div", "md-preview");
    pane.id = id;
    pane.hidden = true;
    pane.setAttribute("role", "region");
    pane.setAttribute("aria-label", "Preview of this section as readers see it");
    wrapper.appendChild(pane);

    function refresh() {
      if (pane.hidden || wrapper.classList.contains("md-not-text")) {
        return; // a video's player would be refused by the admin's CSP: only text sections are previewed
      }
      pane.setAttribute("aria-busy", "true");
      // The prefix is read each time: Django renumbers the forms after an unsaved one is removed.
      showPreview(urls.section, sectionFields(prefixOf(textarea)), function (answer) {
        pane.removeAttribute("aria-busy");
        if (answer.error) {
          pane.classList.add("md-preview-error");
          pane.textContent = "No preview: " + answer.error;
        } else {
          pane.classList.remove("md-preview-error");
          pane.innerHTML = answer.html; // sanitized by the server exactly as on the public page
        }
      });
    }
    var soon = later(PREVIEW_DELAY, refresh);
    toggle.addEventListener("click", function () {
      pane.hidden = !pane.hidden;
      toggle.setAttribute("aria-expanded", String(!pane.hidden));
      toggle.textContent = pane.hidden ? "Show preview" : "Hide preview";
      refresh();
    });
    var sectionForm = textarea.closest(".inline-related") || wrapper;
    sectionForm.addEventListener("input", soon);
    sectionForm.addEventListener("change", soon);
    var kind = field(prefixOf(textarea), "content_type");
    function showForType() {
      var text = !kind || kind.value === "text";
      wrapper.classList.toggle("md-not-text", !text);
      if (!text) {
        pane.textContent = "";
      }
    }
    if (kind) {
      kind.addEventListener("change", showForType);
      showForType();
    }
  }

  // --- reading time ---

  var postCount = element("p", "md-post-count");
  var postCountText = element("span", "md-count-text");
  var showCounts = newest();

  function recount() {
    showCounts(urls.counts, formFields(), function (answer) {
      if (answer.error) {
        postCountText.textContent = "Reading time unknown: " + answer.error;
        return;
      }
      postCountText.textContent = "The whole post: " + answer.post.label;
      editors.forEach(function (editor) {
        var intro = editor.textarea.id === "id_content";
        var reading = intro ? answer.intro : answer.sections[prefixOf(editor.textarea)];
        editor.text.textContent = reading ? (intro ? "Title and introduction: " : "This section: ") + reading.label : "";
      });
    });
  }
  var recountSoon = later(COUNT_DELAY, recount);

  function previewWholePost() {
    var sender = document.createElement("form");
    sender.method = "post";
    sender.action = urls.page;
    sender.target = "_blank";
    sender.hidden = true;
    var fields = formFields();
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      sender.appendChild(input);
    });
    document.body.appendChild(sender);
    sender.submit(); // not the post form's submit: its autosave and leave warning are left alone
    sender.remove();
  }

  // --- start ---

  form.querySelectorAll("textarea").forEach(function (textarea) {
    if (textarea.id === "id_content" || /^sections-\d+-content$/.test(textarea.name)) {
      setUp(textarea);
    }
  });
  if (!editors.length) {
    return; // the form shows the post read-only: nothing to write, nothing to count
  }
  postCount.appendChild(postCountText);
  var whole = element("button", "button md-whole-preview", "Preview the whole post");
  whole.type = "button";
  whole.addEventListener("click", previewWholePost);
  postCount.appendChild(whole);
  var intro = document.getElementById("id_content");
  var place = (intro && intro.closest(".form-row")) || form.querySelector("fieldset");
  if (place) {
    place.parentNode.insertBefore(postCount, place.nextSibling);
  }

  form.addEventListener("input", function (event) {
    if (/(^|-)(title|subtitle|content)$/.test(event.target.name || "")) {
      recountSoon();
    }
  });
  form.addEventListener("change", function (event) {
    if (/(-DELETE|-content_type)$/.test(event.target.name || "")) {
      recountSoon();
    }
  });
  document.addEventListener("formset:added", function (event) {
    if (event.detail && event.detail.formsetName === "sections") {
      var textarea = event.target.querySelector("textarea[name$='-content']");
      if (textarea) {
        setUp(textarea);
      }
      recountSoon();
    }
  });
  document.addEventListener("formset:removed", function (event) {
    if (event.detail && event.detail.formsetName === "sections") {
      editors = editors.filter(function (editor) {
        return editor.textarea.isConnected;
      });
      recountSoon();
    }
  });
  recount();
})();
