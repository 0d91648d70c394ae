/* Learner credential card: copy the share link and re-issue to a DID. No framework. */
function MicrovetCredential(runtime, element) {
  "use strict";
  var i18n = window.MicrovetI18N;
  var gettext = i18n ? i18n.gettext : function (text) { return text; };
  var root = element.jquery ? element[0] : element;
  var live = root.querySelector(".microvet-live");

  function say(text) { live.textContent = text; }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

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
      fetch(runtime.handlerUrl(element, "reissue"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
        body: JSON.stringify({did: input.value})
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (result) {
        if (result.ok) {
          say(result.message);
          window.setTimeout(function () { window.location.reload(); }, 1500);
        } else {
          say("");
          error.textContent = result.message;
          input.setAttribute("aria-invalid", "true");
          input.focus();
        }
      }).catch(function () {
        say("");
        error.textContent = gettext("The server did not answer. Please try again later.");
      });
    });
  }
}
