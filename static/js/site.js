// Progressive enhancement only: every form works without JavaScript.
document.addEventListener("change", function (event) {
  const select = event.target.closest("select[data-autosubmit]");
  if (select) {
    select.form.submit();
  }
});
document.addEventListener("submit", function (event) {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
// Print buttons (the country guides): hidden until this script can make them work.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
