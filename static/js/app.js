// Send Django's CSRF token with every htmx request (read from <meta name="csrf-token">).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
  }
});

// "Copier le code": buttons with data-copy="<selector>" copy that element's text.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) { return; }
  var source = document.querySelector(button.getAttribute("data-copy"));
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    button.textContent = "Code copié";
  });
});

// Forms with data-confirm ask before submitting (without JavaScript they submit directly).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
