/* Learner credential card: copy the share link and re-issue to a DID. No framework; uses MicrovetCommon
   (public/common/common.js: translation and JSON POSTs with the CSRF header). */
function MicrovetCredential(runtime, element) {
  "use strict";
  var common = window.MicrovetCommon;
  var gettext = common.gettext;
  var root = common.rootOf(element);
  var live = root.querySelector(".microvet-live");

  function say(text) { live.textContent = text; }

  var copy = root.querySelector(".microvet-copy");
  if (copy) {
    copy.addEventListener("click", function () {
      var input = root.querySelector(".microvet-share__url");
      var done = function () { say(gettext("Link copied.")); };
      var fallback = function () {
        input.select();
        say(document.execCommand && document.execCommand("copy") ? gettext("Link copied.")
          : gettext("Select the link and copy it."));
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  }

  var form = root.querySelector(".microvet-reissue");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("input[name=did]");
      var error = form.querySelector(".microvet-error");
      error.textContent = "";
      input.removeAttribute("aria-invalid");
      say(gettext("Re-issuing…"));
      common.postJSON(runtime.handlerUrl(element, "reissue"), {did: input.value}).then(function (answer) {
        var result = answer.body;
        if (answer.ok && result.ok) {
          say(result.message);
          window.setTimeout(function () { window.location.reload(); }, 1500);
        } else {
          say("");
          error.textContent = result.message || result.error;
          input.setAttribute("aria-invalid", "true");
          input.focus();
        }
      });
    });
  }
}
