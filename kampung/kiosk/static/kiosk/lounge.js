/* Kampung lounge display (/layar/): shows one panel at a time and moves to the next every
 * data-rotate seconds (on <body>), pausing while the pointer is over the page or a panel has
 * focus; a thin bar shows the time left. Reloads itself every data-reload seconds for fresh
 * figures. Without JavaScript every panel is shown one under another. No library. */
(function () {
  "use strict";

  var body = document.body;
  var panels = Array.prototype.slice.call(document.querySelectorAll(".l-panel"));
  var seconds = parseInt(body.getAttribute("data-rotate"), 10) || 15;
  var reload = parseInt(body.getAttribute("data-reload"), 10) || 300;
  var bar = document.querySelector(".l-progress-bar");
  var status = document.querySelector(".l-status");
  var TICK = 200;
  var current = 0;
  var elapsed = 0;
  var paused = false;

  window.setTimeout(function () {
    window.location.reload();
  }, reload * 1000);

  if (panels.length < 2) {
    return;
  }
  body.classList.add("l-rotating");

  function show(index) {
    current = (index + panels.length) % panels.length;
    panels.forEach(function (panel, i) {
      var on = i === current;
      panel.classList.toggle("l-current", on);
      panel.setAttribute("aria-hidden", on ? "false" : "true");
    });
    elapsed = 0;
    if (status) {
      status.textContent =
        "Panel " + (current + 1) + " dari " + panels.length + " · " + (panels[current].getAttribute("data-name") || "");
    }
    draw();
  }

  function draw() {
    if (bar) {
      bar.style.transform = "scaleX(" + Math.min(elapsed / (seconds * 1000), 1) + ")";
    }
    body.classList.toggle("l-paused", paused);
  }

  function setPaused(value) {
    paused = value;
    draw();
  }

  document.addEventListener("mouseover", function () {
    setPaused(true);
  });
  document.addEventListener("mouseleave", function () {
    setPaused(document.activeElement !== body && body.contains(document.activeElement));
  });
  document.addEventListener("focusin", function () {
    setPaused(true);
  });
  document.addEventListener("focusout", function (event) {
    setPaused(!!event.relatedTarget && body.contains(event.relatedTarget));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === "PageDown") {
      show(current + 1);
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      show(current - 1);
    }
  });

  window.setInterval(function () {
    if (paused || document.hidden) {
      return;
    }
    elapsed += TICK;
    if (elapsed >= seconds * 1000) {
      show(current + 1);
    } else {
      draw();
    }
  }, TICK);

  show(0);
})();
