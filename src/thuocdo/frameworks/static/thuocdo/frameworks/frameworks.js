// Criteria-set pages: submit the browse filters as soon as one changes.
document.addEventListener("change", function (event) {
  var form = event.target.closest && event.target.closest("form[data-autosubmit]");
  if (form) { form.submit(); }
});
