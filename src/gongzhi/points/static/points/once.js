// A second tap while a form is on its way sends nothing more; the form's
// idempotency key would make a resent one harmless anyway.
document.querySelectorAll("form[data-once]").forEach(function (form) {
  form.addEventListener("submit", function () {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  });
});
