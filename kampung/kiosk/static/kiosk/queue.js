/* Kampung waiting-room display: polls the queue feed, redraws the calls and the waiting
 * counts, and on a new call flashes the number, plays a short chime (Web Audio: no sound
 * file) and, where the browser has an Indonesian voice, says the number aloud.
 * No library, no network beyond this server. Without JavaScript the page reloads itself
 * every 30 s (<noscript> refresh) and shows the same state.
 */
(function () {
  "use strict";

  var body = document.body;
  var feed = body.getAttribute("data-queue-feed");
  if (!feed || !window.fetch) return;
  var every = parseInt(body.getAttribute("data-interval") || "3000", 10);
  var stamp = body.getAttribute("data-stamp") || "";
  var lastCall = body.getAttribute("data-call") || "";
  var audio = null;

  function q(name) {
    return document.querySelector('[data-q="' + name + '"]');
  }

  function text(name, value) {
    var el = q(name);
    if (el) el.textContent = value;
  }

  function item(parts) {
    var li = document.createElement("li");
    parts.forEach(function (part, i) {
      if (i) li.appendChild(document.createTextNode(" "));
      var el = document.createElement(part[0]);
      el.className = part[1];
      el.textContent = part[2];
      li.appendChild(el);
    });
    return li;
  }

  function list(name, rows, makeItem, empty) {
    var el = q(name);
    if (!el) return;
    el.textContent = "";
    if (!rows.length) {
      var li = document.createElement("li");
      li.className = "q-none";
      li.textContent = empty;
      el.appendChild(li);
    }
    rows.forEach(function (row) { el.appendChild(makeItem(row)); });
  }

  function draw(state) {
    var now = state.now;
    var label = q("now-label");
    if (label) {
      label.textContent = now ? now.label : "\u2014";
      label.classList.toggle("q-empty", !now);
    }
    var counter = q("now-counter");
    if (counter) {
      counter.textContent = "";
      if (now) {
        counter.appendChild(document.createTextNode("silakan ke "));
        var strong = document.createElement("strong");
        strong.textContent = now.counter;
        counter.appendChild(strong);
      } else {
        counter.textContent = "Belum ada nomor yang dipanggil hari ini.";
      }
    }
    text("now-service", now ? now.service : "");
    list("recent", state.recent, function (c) {
      return item([["span", "q-label", c.label], ["span", "q-counter", c.counter]]);
    }, "Belum ada");
    list("waiting", state.waiting, function (w) {
      return item([["span", "q-letter", w.letter], ["span", "q-name", w.name], ["strong", "q-count", String(w.waiting)]]);
    }, "Tidak ada layanan antrian yang dibuka.");
  }

  function chime() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try {
      audio = audio || new Ctx();
      if (audio.state === "suspended") {
        // The browser wants a touch before it plays sound: offer the button once.
        var wrap = q("sound");
        if (wrap && wrap.parentNode) wrap.parentNode.hidden = false;
        return;
      }
      var t = audio.currentTime;
      [[784, 0], [659, 0.28]].forEach(function (note) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = note[0];
        gain.gain.setValueAtTime(0.0001, t + note[1]);
        gain.gain.exponentialRampToValueAtTime(0.4, t + note[1] + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + note[1] + 0.6);
        osc.connect(gain).connect(audio.destination);
        osc.start(t + note[1]);
        osc.stop(t + note[1] + 0.65);
      });
    } catch (e) { /* no sound on this screen: the flash is enough */ }
  }

  function say(sentence) {
    var synth = window.speechSynthesis;
    if (!synth || !sentence || !window.SpeechSynthesisUtterance) return;
    var voice = (synth.getVoices() || []).filter(function (v) {
      return /^id([-_]|$)/i.test(v.lang || "");
    })[0];
    if (!voice) return; // only an Indonesian voice reads Indonesian numbers right
    var u = new SpeechSynthesisUtterance(sentence);
    u.voice = voice;
    u.lang = voice.lang;
    u.rate = 0.9;
    setTimeout(function () { synth.speak(u); }, 900);
  }

  function announce(now) {
    var box = q("now");
    if (box) {
      box.classList.remove("q-flash");
      void box.offsetWidth; // restart the animation
      box.classList.add("q-flash");
    }
    chime();
    say(now.speech);
  }

  function poll() {
    fetch(feed, { cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        body.classList.toggle("q-offline", !state);
        if (!state) return;
        text("date", state.date);
        text("time", state.time);
        if (state.stamp === stamp) return;
        stamp = state.stamp;
        body.setAttribute("data-stamp", stamp);
        draw(state);
        var key = state.now ? state.now.key : "";
        if (key && key !== lastCall) announce(state.now);
        lastCall = key;
      })
      .catch(function () { body.classList.add("q-offline"); })
      .then(function () { setTimeout(poll, every); });
  }

  var button = q("sound");
  if (button) {
    button.addEventListener("click", function () {
      if (audio) audio.resume();
      button.parentNode.hidden = true;
    });
  }
  setTimeout(poll, every);
})();
