// The publishing calendar, for Publishers: drag an entry onto another day to reschedule it at the same
// time of day. The drop fills in the entry's own "Reschedule" form and sends it, so the move goes
// through the same view and workflow step as the form (content/editorial/calendar_admin.py); without
// this script the forms work alone. A file of its own: the admin's Content-Security-Policy allows no
// inline script.
(function () {
  "use strict";
  var grid = document.querySelector(".calendar-grid");
  var status = document.getElementById("calendar-status");
  if (!grid || !status) {
    return;
  }
  var dragged = null;

  function dayOf(event) {
    var target = event.target.closest ? event.target.closest("td.calendar-day") : null;
    return target && grid.contains(target) && !target.classList.contains("past") ? target : null;
  }

  function clearMarks() {
    grid.querySelectorAll(".drop-target").forEach(function (day) {
      day.classList.remove("drop-target");
    });
  }

  grid.addEventListener("dragstart", function (event) {
    var entry = event.target.closest ? event.target.closest(".calendar-entry[draggable=true]") : null;
    if (!entry) {
      return;
    }
    dragged = entry;
    entry.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", entry.querySelector(".entry-title").textContent);
    grid.classList.add("dragging-entry");
  });
  grid.addEventListener("dragover", function (event) {
    var day = dragged && dayOf(event);
    if (day) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (!day.classList.contains("drop-target")) {
        clearMarks();
        day.classList.add("drop-target");
      }
    }
  });
  grid.addEventListener("dragleave", function (event) {
    var day = dayOf(event);
    if (day && !day.contains(event.relatedTarget)) {
      day.classList.remove("drop-target");
    }
  });
  grid.addEventListener("drop", function (event) {
    var day = dragged && dayOf(event);
    if (!day) {
      return;
    }
    event.preventDefault();
    var entry = dragged;
    var form = entry.querySelector(".entry-reschedule form");
    var when = form && form.querySelector("input[name=publish_at]");
    if (!when || day.contains(entry)) {
      return; // dropped where it already is
    }
    when.value = day.dataset.date + "T" + entry.dataset.time;
    var title = entry.querySelector(".entry-title").textContent;
    status.textContent = "Rescheduling “" + title + "” to " + day.dataset.label + " at " + entry.dataset.time + "…";
    entry.classList.add("moving");
    var list = day.querySelector(".calendar-entries");
    if (!list) {
      list = document.createElement("ul");
      list.className = "calendar-entries";
      day.appendChild(list);
    }
    list.appendChild(entry); // shown on its new day while the page asks the server
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
  grid.addEventListener("dragend", function () {
    clearMarks();
    grid.classList.remove("dragging-entry");
    if (dragged) {
      dragged.classList.remove("dragging");
      dragged = null;
    }
  });
})();
