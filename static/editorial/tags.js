// The post form's tag box: existing tags suggested as the editor types (from the post admin's
// tags/ address), and, before saving, how the text will be read as tags and which tag is too long.
// A file of its own: the admin's Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var box = document.querySelector("input[data-suggest-url]");
  if (!box) {
    return;
  }
  var url = box.dataset.suggestUrl;
  var limit = parseInt(box.dataset.maxLength, 10) || 50;
  var listId = box.id + "_suggestions";
  var statusId = box.id + "_status";

  var wrapper = document.createElement("span");
  wrapper.className = "tags-box";
  box.parentNode.insertBefore(wrapper, box);
  wrapper.appendChild(box);
  var list = document.createElement("ul");
  list.id = listId;
  list.className = "tags-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Existing tags");
  list.hidden = true;
  wrapper.appendChild(list);
  var status = document.createElement("p");
  status.id = statusId;
  status.className = "tags-status";
  status.setAttribute("aria-live", "polite");
  wrapper.parentNode.insertBefore(status, wrapper.nextSibling);

  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-expanded", "false");
  box.setAttribute("aria-controls", listId);
  box.setAttribute("aria-describedby", [box.getAttribute("aria-describedby"), statusId].filter(Boolean).join(" "));

  function splitStrip(text, delimiter) {
    return text
      .split(delimiter)
      .map(function (word) {
        return word.trim();
      })
      .filter(Boolean);
  }

  // The tags the server will read from the text: django-taggit's own rules (commas separate tags;
  // without a comma or a quote, spaces do; "double quotes" keep a name together).
  function parseTags(text) {
    var words = [];
    if (!text) {
      return words;
    }
    if (text.indexOf(",") === -1 && text.indexOf('"') === -1) {
      words = splitStrip(text, " ");
    } else {
      var buffer = "";
      var chunks = [];
      var looseComma = false;
      var openQuote = false;
      var i = 0;
      while (i < text.length) {
        var c = text.charAt(i);
        i += 1;
        if (c !== '"') {
          looseComma = looseComma || c === ",";
          buffer += c;
          continue;
        }
        if (buffer) {
          chunks.push(buffer);
          buffer = "";
        }
        openQuote = true;
        while (i < text.length && text.charAt(i) !== '"') {
          buffer += text.charAt(i);
          i += 1;
        }
        if (i >= text.length) {
          break; // an unclosed quote: its text is split like the rest
        }
        i += 1;
        if (buffer.trim()) {
          words.push(buffer.trim());
        }
        buffer = "";
        openQuote = false;
      }
      if (buffer) {
        looseComma = looseComma || (openQuote && buffer.indexOf(",") !== -1);
        chunks.push(buffer);
      }
      chunks.forEach(function (chunk) {
        words = words.concat(splitStrip(chunk, looseComma ? "," : " "));
      });
    }
    return words
      .filter(function (word, index) {
        return words.indexOf(word) === index;
      })
      .sort();
  }

  function report() {
    var tags = parseTags(box.value);
    var tooLong = tags.filter(function (tag) {
      return tag.length > limit;
    });
    status.classList.toggle("too-long", tooLong.length > 0);
    if (tooLong.length) {
      box.setAttribute("aria-invalid", "true");
      var shown = tooLong[0].length > 30 ? tooLong[0].slice(0, 30) + "…" : tooLong[0];
      status.textContent =
        "“" + shown + "” has " + tooLong[0].length + " characters: a tag can have at most " + limit +
        ". Shorten it before saving.";
    } else {
      box.removeAttribute("aria-invalid");
      status.textContent = tags.length
        ? "Saved as " + tags.length + (tags.length === 1 ? " tag: " : " tags: ") + tags.join(" · ") +
          " (at most " + limit + " characters each)."
        : "";
    }
  }

  // --- suggestions ---

  var active = -1;
  var asked = 0;
  var timer = null;

  function currentWord() {
    var start = box.value.lastIndexOf(",") + 1;
    return box.value.slice(start).replace(/^[\s"]+|"$/g, "");
  }

  function options() {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var items = options();
    active = items.length ? (index + items.length) % items.length : -1;
    items.forEach(function (item, position) {
      item.setAttribute("aria-selected", String(position === active));
    });
    if (active >= 0) {
      box.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
  }

  function choose(name) {
    var start = box.value.lastIndexOf(",") + 1;
    var written = name.indexOf(",") !== -1 && name.indexOf('"') === -1 ? '"' + name + '"' : name;
    // A comma after it: without one, taggit would split a name with spaces into several tags.
    box.value = box.value.slice(0, start) + (start ? " " : "") + written + ", ";
    close();
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true })); // the counter, and autosave
  }

  function show(names) {
    var taken = parseTags(box.value.slice(0, box.value.lastIndexOf(",") + 1)).map(function (tag) {
      return tag.toLowerCase();
    });
    names = names.filter(function (name) {
      return taken.indexOf(name.toLowerCase()) === -1;
    });
    close();
    if (!names.length) {
      return;
    }
    names.forEach(function (name, index) {
      var item = document.createElement("li");
      item.id = listId + "_" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = name;
      item.dataset.name = name;
      list.appendChild(item);
    });
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
  }

  function ask() {
    var word = currentWord().trim();
    if (!word || word.length > limit) {
      close();
      return;
    }
    asked += 1;
    var question = asked;
    fetch(url + "?q=" + encodeURIComponent(word), {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        return response.ok ? response.json() : { tags: [] };
      })
      .then(function (answer) {
        if (question === asked && document.activeElement === box) {
          show(answer.tags || []);
        }
      })
      .catch(function () {
        close(); // no suggestions now; typing still works
      });
  }

  box.addEventListener("input", function () {
    report();
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });
  box.addEventListener("keydown", function (event) {
    if (list.hidden) {
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault(); // choose the tag, do not send the form
      choose(options()[active].dataset.name);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      close();
    }
  });
  list.addEventListener("mousedown", function (event) {
    var item = event.target.closest("[role=option]");
    if (item) {
      event.preventDefault(); // keep the focus in the box
      choose(item.dataset.name);
    }
  });
  box.addEventListener("blur", function () {
    window.setTimeout(close, 150);
  });
  report();
})();
