// The scanner page's camera (GET /verify): frames from getUserMedia, at most about two a second,
// go to POST /verify/image; the server decodes and verifies them and answers the result, which
// replaces #result. Without this script the page's form still works (photo or text).
(function () {
  'use strict';
  var box = document.getElementById('camera-box');
  var video = document.getElementById('camera');
  var start = document.getElementById('camera-start');
  var stopButton = document.getElementById('camera-stop');
  var status = document.getElementById('camera-status');
  var result = document.getElementById('result');
  var form = document.getElementById('verify-form');
  if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  box.hidden = false;
  var canvas = document.createElement('canvas');
  var stream = null;
  var timer = null;
  var busy = false;
  var pause = 0;
  var INTERVAL = 450;
  var LONG_SIDE = 1280;

  function query() {
    var q = new URLSearchParams();
    q.set('source', 'camera');
    q.set('country', form.elements.country.value);
    q.set('at', form.elements.at.value);
    return q.toString();
  }

  var hint = status.textContent;

  function stop() {
    status.textContent = hint;
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true;
    stopButton.hidden = true;
    start.hidden = false;
  }

  function send(blob) {
    fetch('/verify/image?' + query(), {
      method: 'POST',
      headers: { 'Content-Type': 'image/jpeg' },
      body: blob,
      credentials: 'same-origin'
    }).then(function (r) {
      return r.text().then(function (html) { return { status: r.status, html: html }; });
    }).then(function (a) {
      busy = false;
      if (a.status === 200) {
        result.innerHTML = a.html;
        stop();
        result.focus();
      } else if (a.status === 429 || a.status === 503) {
        pause = Date.now() + 3000;
      } else if (a.status !== 422) {
        result.innerHTML = a.html;
        stop();
      }
    }).catch(function () { busy = false; });
  }

  function grab() {
    if (busy || !stream || video.readyState < 2 || Date.now() < pause) { return; }
    var w = video.videoWidth;
    var h = video.videoHeight;
    if (!w || !h) { return; }
    var scale = Math.min(1, LONG_SIDE / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    busy = true;
    canvas.toBlob(function (blob) {
      if (blob) { send(blob); } else { busy = false; }
    }, 'image/jpeg', 0.85);
  }

  start.addEventListener('click', function () {
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } }
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      start.hidden = true;
      stopButton.hidden = false;
      status.textContent = status.dataset.scanning;
      return video.play();
    }).then(function () {
      timer = setInterval(grab, INTERVAL);
    }).catch(function () {
      stop();
      status.textContent = status.dataset.denied;
    });
  });
  stopButton.addEventListener('click', stop);
}());
