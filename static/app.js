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
