/* Learner credential card: follows the learner's evidence without a reload, copies the share link and
   re-issues to a DID. No framework; uses MicrovetCommon (public/common/common.js: translation and
   JSON POSTs with the CSRF header).

   After a submission an assessment on the page dispatches
     document.dispatchEvent(new CustomEvent("microvet:evidence-recorded", {detail: {usageId: ...}}))
   and the card asks its state handler (GET .../student_view_user_state/card) again, with back-off, until
   the state is final (issued, or not due); the answer carries the card re-rendered by the server, which
   replaces this one. Controls inside the card are bound in bindCard(), again after every swap: a new
   button in the template gets its listener there. */
function MicrovetCredential(runtime, element, args) {
  "use strict";
  var common = window.MicrovetCommon;
  var gettext = common.gettext;
  var root = common.rootOf(element);
  var stateUrl = runtime.handlerUrl(element, "student_view_user_state", "card");
  /* Seconds between polls while a credential is being issued: about 2 minutes in all. */
  var BACKOFF = [1, 2, 4, 8, 15, 30, 30, 30];
  var poll = null;

  function card() { return root.querySelector(".microvet-card"); }
  function say(text) { card().querySelector(".microvet-live").textContent = text; }

  function bindCard() {
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
            refresh(0, result.message);
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

  /* The card last swapped in. An identical answer (a later poll, or two submissions' events at once) leaves
     the card alone: swapping it would empty the live region and drop what it had just announced. */
  var shown = null;

  /* Swap in the server's card; announce ``message``, or a change of state (screen readers hear it once). */
  function show(state, message) {
    if (state.html !== shown) {
      var before = card().getAttribute("data-state");
      var holder = document.createElement("div");
      holder.innerHTML = state.html;
      var fresh = holder.querySelector(".microvet-card");
      if (!fresh) { return; }
      card().replaceWith(fresh);
      bindCard();
      shown = state.html;
      var after = fresh.getAttribute("data-state");
      if (!message && after !== before && after === "earned") {
        message = gettext("Your credential has been issued.");
      }
    }
    if (message) { say(message); }
  }

  function refresh(attempt, message) {
    window.clearTimeout(poll);
    fetch(stateUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.html) { show(state, message); }
        if (state && state.final) { return; }
        if (attempt < BACKOFF.length) {
          poll = window.setTimeout(function () { refresh(attempt + 1); }, BACKOFF[attempt] * 1000);
        } else {
          say(gettext("Your credential is still being issued. Reload the page in a few minutes."));
        }
      }, function () {
        if (attempt < BACKOFF.length) {
          poll = window.setTimeout(function () { refresh(attempt + 1); }, BACKOFF[attempt] * 1000);
        }
      });
  }

  document.addEventListener("microvet:evidence-recorded", function () { refresh(0); });
  bindCard();
  if (args && args.final === false) { refresh(0); }
}
