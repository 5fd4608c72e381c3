/*
 * The confirmation page's progress: posts the form with fetch, reads the
 * service's NDJSON reply (spawn, copy, done or error events), shows a
 * progress bar and the Hub's messages, then opens the copied file.
 * Without JavaScript the form posts normally and the service redirects.
 */
(function () {
  'use strict';

  var form = document.getElementById('open-form');
  if (!form || !window.fetch || !window.TextDecoder) {
    return;
  }
  var button = document.getElementById('open-copy');
  var progress = document.getElementById('progress');
  var bar = document.getElementById('progress-bar');
  var message = document.getElementById('progress-message');
  var errorBox = document.getElementById('error');
  var errorTitle = document.getElementById('error-title');
  var errorMessage = document.getElementById('error-message');
  var retry = document.getElementById('retry');
  var busy = false;

  function formatBytes(bytes) {
    var units = ['bytes', 'KiB', 'MiB', 'GiB'];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return unit === 0 ? value + ' bytes' : value.toFixed(1) + ' ' + units[unit];
  }

  function showError(title, text, canRetry) {
    progress.hidden = true;
    errorBox.hidden = false;
    errorTitle.textContent = title || 'Something went wrong';
    errorMessage.textContent = text || 'Try again in a minute.';
    retry.hidden = !canRetry;
    button.disabled = false;
    busy = false;
  }

  function handle(event) {
    if (event.phase === 'spawn') {
      progress.dataset.phase = 'spawn';
      if (typeof event.progress === 'number') {
        bar.value = Math.max(0, Math.min(100, event.progress)) * 0.8;
      }
      if (event.message) {
        message.textContent = event.message;
      }
    } else if (event.phase === 'copy') {
      progress.dataset.phase = 'copy';
      if (event.total) {
        bar.value = 80 + (20 * event.bytes) / event.total;
        message.textContent =
          'Copying: ' +
          formatBytes(event.bytes) +
          ' of ' +
          formatBytes(event.total);
      } else {
        message.textContent = 'Copying: ' + formatBytes(event.bytes);
      }
    } else if (event.phase === 'done') {
      progress.dataset.phase = 'done';
      bar.value = 100;
      message.textContent = 'Opening the copy…';
      // The service builds this path from the Hub's URLs; keep to our origin.
      if (
        typeof event.url === 'string' &&
        event.url.charAt(0) === '/' &&
        event.url.charAt(1) !== '/'
      ) {
        window.location.assign(event.url);
      }
      return true;
    } else if (event.phase === 'error') {
      showError(event.title, event.message, event.retry);
      return true;
    }
    return false;
  }

  async function run() {
    var res = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: 'application/x-ndjson' },
      credentials: 'same-origin'
    });
    if (!res.body) {
      showError('Something went wrong', 'The service sent no reply.', true);
      return;
    }
    var reader = res.body.getReader();
    var decoder = new TextDecoder();
    var buffered = '';
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) {
        break;
      }
      buffered += decoder.decode(chunk.value, { stream: true });
      var end;
      while ((end = buffered.indexOf('\n')) >= 0) {
        var line = buffered.slice(0, end).trim();
        buffered = buffered.slice(end + 1);
        if (line && handle(JSON.parse(line))) {
          return;
        }
      }
    }
    if (buffered.trim() && handle(JSON.parse(buffered))) {
      return;
    }
    showError(
      'The connection was cut',
      'The service stopped answering before the copy was finished.',
      true
    );
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    button.disabled = true;
    errorBox.hidden = true;
    progress.hidden = false;
    bar.value = 0;
    message.textContent = 'Starting…';
    run().catch(function () {
      showError(
        'The connection was cut',
        'The service could not be reached. Check your connection and try again.',
        true
      );
    });
  });
})();
