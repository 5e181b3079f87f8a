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

// Certification timer: elements with data-deadline (ISO date) show the time left, minute by minute.
(function () {
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (element) {
      var left = Math.max(0, Math.round((new Date(element.getAttribute("data-deadline")) - new Date()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      element.textContent = "Temps restant : " + minutes + " min " + (seconds < 10 ? "0" : "") + seconds + " s";
      if (left === 0) { element.classList.add("timer-over"); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();

// Live tables refreshed every few seconds (hx-trigger="every …") with data-pause-while-editing wait while
// someone fills in a form inside them: the refresh would replace the form and lose what was typed.
document.addEventListener("htmx:beforeRequest", function (event) {
  var element = event.detail.elt;
  if (!element.hasAttribute || !element.hasAttribute("data-pause-while-editing")) { return; }
  var focused = document.activeElement;
  var typing = focused && element.contains(focused) && focused.matches("input, textarea, select");
  if (typing || element.querySelector("details[open]")) { event.preventDefault(); }
});
