/* Micro-credential editor (Studio). No framework: outcome rows, rule mode, PNG upload, per-field errors.
   The server validates everything (studio_submit); this script only gathers input and shows the answer,
   so the author's input stays in the form when something is refused. */
function MicrovetCredentialEditor(runtime, element, args) {
  "use strict";
  var common = window.MicrovetCommon;  /* public/common/common.js: gettext, postJSON (CSRF), rootOf */
  var gettext = common.gettext;
  var root = common.rootOf(element);
  var form = root.querySelector(".microvet-editor");
  var rows = form.querySelector(".microvet-outcome-rows");
  var template = form.querySelector(".microvet-outcome-template");
  var status = form.querySelector(".microvet-editor__status");
  var summary = form.querySelector(".microvet-editor__summary");
  var rowCounter = 0;

  function notify(name, data) {
    if (typeof runtime.notify === "function") { runtime.notify(name, data); }
  }

  function addRow(outcome, focus) {
    var row = template.content.firstElementChild.cloneNode(true);
    rowCounter += 1;
    row.querySelectorAll("[data-name]").forEach(function (control) {
      var id = "mv-lo-" + rowCounter + "-" + control.getAttribute("data-name");
      control.id = id;
      row.querySelector("label[data-for=" + control.getAttribute("data-name") + "]").setAttribute("for", id);
    });
    if (outcome) {
      row.querySelector("[data-name=id]").value = outcome.id || "";
      row.querySelector("[data-name=text]").value = outcome.text || "";
      row.querySelector("[data-name=esco_skills]").value = (outcome.esco_skills || []).join("\n");
    }
    row.querySelector(".microvet-remove-outcome").addEventListener("click", function () {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      (next ? next.querySelector("textarea") : form.querySelector(".microvet-add-outcome")).focus();
    });
    rows.appendChild(row);
    if (focus) { row.querySelector("[data-name=text]").focus(); }
  }

  (args.outcomes || []).forEach(function (outcome) { addRow(outcome, false); });
  form.querySelector(".microvet-add-outcome").addEventListener("click", function () { addRow(null, true); });

  function syncRulesMode() {
    var advanced = form.querySelector("#mv-rules-advanced").checked;
    form.querySelector(".microvet-rules-simple").hidden = advanced;
    form.querySelector("[data-field=rules_json]").hidden = !advanced;
  }
  form.querySelectorAll("input[name=rules_mode]").forEach(function (radio) {
    radio.addEventListener("change", syncRulesMode);
  });
  syncRulesMode();

  var imageInput = form.querySelector("input[name=image]");
  var preview = form.querySelector(".microvet-image-preview");
  var defaultNote = form.querySelector(".microvet-image-default");
  function setImage(dataUri) {
    imageInput.value = dataUri;
    preview.src = dataUri;
    preview.hidden = !dataUri;
    defaultNote.hidden = !!dataUri;
  }
  form.querySelector(".microvet-image-file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) { return; }
    var reader = new FileReader();
    reader.onload = function () { setImage(String(reader.result)); };
    reader.readAsDataURL(file);
  });
  form.querySelector(".microvet-image-clear").addEventListener("click", function () {
    form.querySelector(".microvet-image-file").value = "";
    setImage("");
  });

  function value(name) {
    var control = form.querySelector("[name='" + name + "']");
    return control ? control.value : "";
  }

  function collect() {
    var data = {awarding_body: {}, rules_simple: {}, learning_outcomes: []};
    form.querySelectorAll("[name]").forEach(function (control) {
      var name = control.name;
      if (control.type === "radio" || control.type === "file") { return; }
      var dot = name.indexOf(".");
      if (dot > 0) { data[name.slice(0, dot)][name.slice(dot + 1)] = control.value; } else { data[name] = control.value; }
    });
    data.rules_mode = form.querySelector("#mv-rules-advanced").checked ? "advanced" : "simple";
    rows.querySelectorAll(".microvet-outcome-row").forEach(function (row) {
      data.learning_outcomes.push({
        id: row.querySelector("[data-name=id]").value,
        text: row.querySelector("[data-name=text]").value,
        esco_skills: row.querySelector("[data-name=esco_skills]").value.split(/\s+/).filter(Boolean)
      });
    });
    return data;
  }

  function clearErrors() {
    form.querySelectorAll(".microvet-field-error--dynamic").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[data-error-for]").forEach(function (node) { node.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-errormessage");
    });
    summary.textContent = "";
  }

  function fieldFor(key) {
    var match = /^learning_outcomes\[(\d+)\]\.(\w+)/.exec(key);
    if (match) {
      var row = rows.querySelectorAll(".microvet-outcome-row")[Number(match[1])];
      return row ? row.querySelector("[data-field=" + match[2] + "]") : null;
    }
    var prefix = key.replace(/\[\d+\]$/, "");
    return form.querySelector("[data-field='" + key + "']") || form.querySelector("[data-field='" + prefix + "']") ||
      form.querySelector("[data-field='" + key.split(".")[0] + "']");
  }

  function showErrors(errors) {
    var first = null;
    var unplaced = [];
    Object.keys(errors).forEach(function (key, index) {
      var field = fieldFor(key);
      if (!field) { unplaced.push(key + ": " + errors[key]); return; }
      var slot = field.querySelector(":scope > [data-error-for]");
      if (!slot) {
        slot = document.createElement("p");
        slot.className = "microvet-field-error microvet-field-error--dynamic";
        field.appendChild(slot);
      }
      slot.id = slot.id || "mv-error-" + index;
      slot.textContent = slot.textContent ? slot.textContent + " " + errors[key] : errors[key];
      var control = field.querySelector("input:not([type=hidden]), textarea, select");
      if (control) {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-errormessage", slot.id);
        first = first || control;
      }
    });
    summary.textContent = unplaced.join(" ");
    if (first) { first.focus(); } else { summary.focus(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    status.textContent = gettext("Saving…");
    notify("save", {state: "start"});
    common.postJSON(runtime.handlerUrl(element, "studio_submit"), collect()).then(function (answer) {
      var result = answer.body;
      if (!answer.ok) {
        status.textContent = result.error
          || gettext("Not saved: the server did not answer. Your changes are still in the form.");
        return;
      }
      status.textContent = result.message;
      if (result.ok) {
        notify("save", {state: "end"});
      } else {
        notify("error", {title: gettext("Not saved"), message: result.message});
        showErrors(result.errors || {});
      }
    });
  });

  form.querySelector(".microvet-cancel").addEventListener("click", function () { notify("cancel", {}); });

  /* Only outside Open edX (the demo): there, Studio's own Publish button publishes the course. */
  var publish = form.querySelector(".microvet-publish");
  if (publish) {
    publish.addEventListener("click", function () {
      status.textContent = gettext("Publishing…");
      common.postJSON(runtime.handlerUrl(element, "demo_publish"), {}).then(function (answer) {
        status.textContent = answer.body.message || answer.body.error;
      });
    });
  }
}
