// Partner invite page: a button copies the invite URL. Without
// JavaScript the button stays hidden and the read-only field can be
// selected and copied by hand.
(function () {
  'use strict';

  function init() {
    var button = document.getElementById('copy-invite');
    if (!button) { return; }
    var input = document.getElementById(button.dataset.copy);
    var status = document.getElementById('copy-status');
    if (!input) { return; }
    button.hidden = false;

    function say(text) { if (status) { status.textContent = text; } }

    // execCommand is the fallback for browsers without the asynchronous
    // clipboard (or which refuse it on plain http).
    function fallback() {
      input.focus();
      input.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      say(ok ? button.dataset.copied : button.dataset.copyFailed);
    }

    button.addEventListener('click', function () {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(function () {
          say(button.dataset.copied);
        }, fallback);
        return;
      }
      fallback();
    });
    // A click in the field selects the whole URL, ready to copy by hand.
    input.addEventListener('focus', function () { input.select(); });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
