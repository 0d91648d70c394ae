/* "Add to a wallet" on the credential card: asks the block's wallet_offer handler for a one-time offer
   and shows its QR codes (SVG drawn by the server), links and transaction code. No framework; uses
   MicrovetCommon (public/common/common.js). Binds itself to every card on the page once. */
(function () {
  "use strict";
  function bind(box) {
    if (box.getAttribute("data-bound")) { return; }
    box.setAttribute("data-bound", "1");
    var common = window.MicrovetCommon;
    var button = box.querySelector(".microvet-wallet__open");
    var panel = box.querySelector(".microvet-wallet__panel");
    var error = box.querySelector(".microvet-wallet__error");
    button.addEventListener("click", function () {
      error.textContent = "";
      button.disabled = true;
      common.postJSON(box.getAttribute("data-offer-url"), {}).then(function (answer) {
        button.disabled = false;
        var offer = answer.body;
        if (!answer.ok || !offer.ok) {
          error.textContent = offer.message || offer.error;
          return;
        }
        box.querySelector("[data-qr=offer]").innerHTML = offer.qr;
        box.querySelector("[data-qr=lcw]").innerHTML = offer.lcw_qr;
        box.querySelector(".microvet-wallet__link").href = offer.offer_uri;
        box.querySelector(".microvet-wallet__lcw").href = offer.lcw_uri;
        var tx = box.querySelector(".microvet-wallet__tx");
        tx.hidden = !offer.tx_code;
        box.querySelector(".microvet-wallet__tx-code").textContent = offer.tx_code;
        box.querySelector(".microvet-wallet__message").textContent = offer.message;
        panel.hidden = false;
        button.setAttribute("aria-expanded", "true");
        panel.querySelector(".microvet-wallet__link").focus();
      });
    });
  }
  function bindAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".microvet-wallet[data-offer-url]"), bind);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else {
    bindAll();
  }
  /* The LMS may insert the card after load (unit navigation): bind new cards as they appear. */
  new MutationObserver(bindAll).observe(document.documentElement, {childList: true, subtree: true});
}());
