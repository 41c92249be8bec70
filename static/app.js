// Small progressive enhancements; every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
    el.form.submit();
  }
});
// Booking page: propose the visitor's own time zone when the page did not choose one.
(function () {
  var sel = document.querySelector("select[data-detect-tz]");
  if (!sel || /[?&]tz=/.test(location.search)) return;
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== sel.value && sel.querySelector('option[value="' + zone + '"]')) {
      sel.value = zone;
      sel.form.submit();
    }
  } catch (e) { /* keep the location's zone */ }
})();
// Calendar views: drag a booking onto a free cell to move it (the booking's own page has a
// form that does the same without a mouse).
(function () {
  var grid = document.querySelector("[data-calendar-grid]");
  var form = document.getElementById("move-form");
  if (!grid || !form) return;
  var dragged = null;
  grid.addEventListener("dragstart", function (e) {
    var b = e.target.closest && e.target.closest("[data-booking]");
    if (!b) return;
    dragged = b.getAttribute("data-booking");
    if (e.dataTransfer) {
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", dragged);
    }
  });
  function cell(e) {
    return e.target.closest && e.target.closest("td[data-date]");
  }
  grid.addEventListener("dragover", function (e) {
    if (dragged && cell(e)) e.preventDefault();
  });
  grid.addEventListener("dragenter", function (e) {
    var td = cell(e);
    if (dragged && td) td.classList.add("drop-target");
  });
  grid.addEventListener("dragleave", function (e) {
    var td = cell(e);
    if (td) td.classList.remove("drop-target");
  });
  grid.addEventListener("drop", function (e) {
    var td = cell(e);
    if (!dragged || !td) return;
    e.preventDefault();
    form.action = "/bookings/" + encodeURIComponent(dragged) + "/move";
    form.elements.date.value = td.getAttribute("data-date");
    form.elements.time.value = td.getAttribute("data-time");
    form.submit();
  });
  grid.addEventListener("dragend", function () {
    dragged = null;
  });
})();
// Destructive forms ask first: the form's data-confirm is the question.
document.addEventListener("submit", function (e) {
  var f = e.target;
  var q = f && f.getAttribute && f.getAttribute("data-confirm");
  if (q && !window.confirm(q)) e.preventDefault();
});
// Copy buttons: data-copy names the element whose text is copied.
document.addEventListener("click", function (e) {
  var b = e.target.closest && e.target.closest("button[data-copy]");
  if (!b || !navigator.clipboard) return;
  var el = document.getElementById(b.getAttribute("data-copy"));
  if (!el) return;
  navigator.clipboard.writeText(el.textContent.trim()).then(function () {
    b.textContent = b.getAttribute("data-copied") || b.textContent;
  });
});
