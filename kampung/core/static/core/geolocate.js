/* Forms marked data-geo (an RTLH survey, a progress report, a field visit): send the phone's
   location with the form, only where the browser allows it (a secure page: HTTPS or
   localhost). Photos keep their own EXIF location; this is the fall-back the server uses
   when a photo has none. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-geo]");
  if (!form) { return; }
  var status = document.getElementById("geo-status");
  function say(text) { if (status) { status.textContent = text; } }
  if (!window.isSecureContext || !navigator.geolocation) {
    say("Lokasi perangkat tidak dipakai (halaman tidak melalui HTTPS); lokasi diambil dari data foto.");
    return;
  }
  say("Mencari lokasi perangkat…");
  navigator.geolocation.getCurrentPosition(function (pos) {
    form.querySelector("input[name=latitude]").value = pos.coords.latitude.toFixed(6);
    form.querySelector("input[name=longitude]").value = pos.coords.longitude.toFixed(6);
    var source = form.querySelector("input[name=location_source]");
    if (source) { source.value = "peramban"; }
    say("Lokasi perangkat: " + pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5) +
        " (±" + Math.round(pos.coords.accuracy) + " m).");
  }, function () {
    say("Lokasi perangkat tidak diizinkan; lokasi diambil dari data foto.");
  }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
}());
