/* Studio editor: settings, plus a form for outcomes and questions (or their OLX). The server validates
   everything; its errors are shown next to the setting, outcome list or question they name. */
function MicrovetAssessmentStudio(runtime, element, init) {
  'use strict';
  var common = window.MicrovetCommon;
  var gettext = common.gettext;
  var interpolate = common.interpolate;
  var root = common.rootOf(element);
  var form = root.querySelector('.mv-studio-form');
  var status = root.querySelector('.mv-status');
  var editor = root.querySelector('.mv-editor');
  var olxDetails = root.querySelector('.mv-olx-details');
  var prefix = editor.getAttribute('data-id-prefix');
  var content = init.content;
  var counter = 0;
  var TYPES = [
    ['single', gettext('Single choice')],
    ['multiple', gettext('Multiple choice')],
    ['numeric', gettext('Number')],
    ['text', gettext('Short text')]
  ];

  function notify(name, data) {
    if (typeof runtime.notify === 'function') { runtime.notify(name, data); }
  }

  function node(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') {
        el.textContent = attrs[key];
      } else if (key === 'className') {
        el.className = attrs[key];
      } else {
        el.setAttribute(key, attrs[key]);
      }
    });
    (children || []).forEach(function (child) { el.appendChild(child); });
    return el;
  }

  function errorSlot(name) {
    return node('p', {className: 'mv-field-error', 'data-error-for': name, 'aria-live': 'polite'});
  }

  /* A labelled control bound to obj[key]. options: rows, lines (list of lines), choices (select), onChange. */
  function control(labelText, obj, key, kind, options) {
    options = options || {};
    var id = prefix + '-' + (counter += 1);
    var input;
    if (kind === 'textarea') {
      input = node('textarea', {id: id, rows: String(options.rows || 2)});
    } else if (kind === 'select') {
      input = node('select', {id: id});
      options.choices.forEach(function (choice) {
        input.appendChild(node('option', {value: choice[0], text: choice[1]}));
      });
    } else {
      input = node('input', {id: id, type: kind});
      if (kind === 'number') { input.setAttribute('step', 'any'); }
    }
    var value = obj[key];
    if (kind === 'checkbox') {
      input.checked = Boolean(value);
    } else if (options.lines) {
      input.value = (value || []).join('\n');
    } else {
      input.value = value === null || value === undefined ? '' : String(value);
    }
    input.addEventListener(kind === 'checkbox' || kind === 'select' ? 'change' : 'input', function () {
      if (kind === 'checkbox') {
        obj[key] = input.checked;
      } else if (kind === 'number') {
        obj[key] = input.value === '' ? null : Number(input.value);
      } else if (options.lines) {
        obj[key] = input.value.split('\n').filter(function (line) { return line.trim() !== ''; });
      } else {
        obj[key] = input.value;
      }
    });
    if (options.onChange) { input.addEventListener('change', options.onChange); }
    var label = node('label', {'for': id, text: labelText});
    if (kind === 'checkbox') {
      return node('div', {className: 'mv-field mv-inline'}, [input, label]);
    }
    return node('div', {className: 'mv-field'}, [label, input]);
  }

  function button(text, action) {
    var b = node('button', {type: 'button', className: 'mv-small', text: text});
    b.addEventListener('click', function () { action(); render(); });
    return b;
  }

  function nextId(items, stem) {
    var ids = items.map(function (item) { return item.id; });
    var n = items.length + 1;
    while (ids.indexOf(stem + n) !== -1) { n += 1; }
    return stem + n;
  }

  function blankChoices() {
    return [{id: 'a', text: '', correct: true, feedback: ''}, {id: 'b', text: '', correct: false, feedback: ''}];
  }

  function outcomesSection() {
    var rows = content.outcomes.map(function (outcome, i) {
      var previous = outcome.id;
      return node('div', {className: 'mv-row'}, [
        control(gettext('Outcome id'), outcome, 'id', 'text', {onChange: function () {
          content.questions.forEach(function (q) {  // keep the questions' tags on a renamed outcome
            q.outcomes = q.outcomes.map(function (ref) { return ref === previous ? outcome.id : ref; });
          });
          render();
        }}),
        control(gettext('Mastery threshold (%)'), outcome, 'threshold', 'number'),
        button(gettext('Remove outcome'), function () { content.outcomes.splice(i, 1); })
      ]);
    });
    return node('fieldset', {className: 'mv-outcomes-editor'}, [node('legend', {text: gettext('Learning outcomes')})]
      .concat(rows)
      .concat([
        button(gettext('Add outcome'), function () { content.outcomes.push({id: '', threshold: 70}); }),
        errorSlot('outcomes')
      ]));
  }

  function outcomeTags(q) {
    var boxes = content.outcomes.map(function (outcome) {
      var id = prefix + '-' + (counter += 1);
      var input = node('input', {type: 'checkbox', id: id});
      input.checked = q.outcomes.indexOf(outcome.id) !== -1;
      input.addEventListener('change', function () {
        q.outcomes = q.outcomes.filter(function (ref) { return ref !== outcome.id; });
        if (input.checked) { q.outcomes.push(outcome.id); }
      });
      return node('span', {className: 'mv-inline'}, [input, node('label', {'for': id, text: outcome.id})]);
    });
    return node('fieldset', {className: 'mv-tags'}, [node('legend', {text: gettext('Assesses the outcomes')})]
      .concat(boxes));
  }

  function kindFields(q) {
    if (q.kind === 'single' || q.kind === 'multiple') {
      var rows = q.choices.map(function (choice, j) {
        return node('div', {className: 'mv-row'}, [
          control(gettext('Choice id'), choice, 'id', 'text'),
          control(gettext('Choice text'), choice, 'text', 'text'),
          control(gettext('Correct'), choice, 'correct', 'checkbox'),
          control(gettext('Feedback when chosen'), choice, 'feedback', 'text'),
          button(gettext('Remove choice'), function () { q.choices.splice(j, 1); })
        ]);
      });
      var parts = [node('fieldset', {className: 'mv-choices'}, [node('legend', {text: gettext('Choices')})]
        .concat(rows)
        .concat([button(gettext('Add choice'), function () {
          q.choices.push({id: nextId(q.choices, 'c'), text: '', correct: false, feedback: ''});
        })]))];
      if (q.kind === 'multiple') {
        parts.push(control(gettext('Partial credit (right picks minus wrong picks)'), q, 'partial_credit', 'checkbox'));
      }
      return parts;
    }
    if (q.kind === 'numeric') {
      return [node('div', {className: 'mv-row'}, [
        control(gettext('Correct answer'), q, 'answer', 'number'),
        control(gettext('Tolerance'), q, 'tolerance', 'number'),
        control(gettext('Tolerance in percent of the answer'), q, 'tolerance_percent', 'checkbox')
      ])];
    }
    return [
      control(gettext('Accepted answers, one per line'), q, 'accepted', 'textarea', {lines: true, rows: 3}),
      node('div', {className: 'mv-row'}, [
        control(gettext('Answers are regular expressions matching the whole answer'), q, 'regex', 'checkbox'),
        control(gettext('Case-sensitive'), q, 'case_sensitive', 'checkbox')
      ])
    ];
  }

  function move(i, step) {
    var j = i + step;
    if (j < 0 || j >= content.questions.length) { return; }
    var question = content.questions.splice(i, 1)[0];
    content.questions.splice(j, 0, question);
  }

  function questionCard(q, i) {
    if ((q.kind === 'single' || q.kind === 'multiple') && q.choices.length === 0) { q.choices = blankChoices(); }
    var parts = [
      node('legend', {text: interpolate(gettext('Question %(number)s'), {number: i + 1})}),
      node('div', {className: 'mv-row'}, [
        control(gettext('Question id'), q, 'id', 'text'),
        control(gettext('Type'), q, 'kind', 'select', {choices: TYPES, onChange: render}),
        control(gettext('Points'), q, 'points', 'number')
      ]),
      control(gettext('Prompt'), q, 'prompt', 'textarea', {rows: 3}),
      outcomeTags(q)
    ].concat(kindFields(q)).concat([
      control(gettext('Feedback when correct'), q, 'feedback_correct', 'text'),
      control(gettext('Feedback when not correct'), q, 'feedback_incorrect', 'text'),
      control(gettext('Hints, one per line (one more is shown after each unsuccessful attempt)'), q, 'hints',
        'textarea', {lines: true}),
      node('div', {className: 'mv-row'}, [
        button(gettext('Move up'), function () { move(i, -1); }),
        button(gettext('Move down'), function () { move(i, 1); }),
        button(gettext('Remove question'), function () { content.questions.splice(i, 1); })
      ]),
      errorSlot('question:' + i)
    ]);
    return node('fieldset', {className: 'mv-question-editor'}, parts);
  }

  function newQuestion() {
    return {
      id: nextId(content.questions, 'q'), kind: 'single', prompt: '', points: 1,
      outcomes: content.outcomes.length ? [content.outcomes[0].id] : [], choices: blankChoices(),
      partial_credit: false, answer: null, tolerance: 0, tolerance_percent: false, accepted: [], regex: false,
      case_sensitive: false, feedback_correct: '', feedback_incorrect: '', hints: []
    };
  }

  function render() {
    editor.textContent = '';
    editor.appendChild(outcomesSection());
    content.questions.forEach(function (q, i) { editor.appendChild(questionCard(q, i)); });
    editor.appendChild(button(gettext('Add question'), function () { content.questions.push(newQuestion()); }));
  }

  /* Only the fields of each question's type: leftovers of another type are refused by the server. */
  function cleaned() {
    return {
      outcomes: content.outcomes.map(function (o) { return {id: o.id, threshold: o.threshold}; }),
      questions: content.questions.map(function (q) {
        var out = {
          id: q.id, kind: q.kind, prompt: q.prompt, points: q.points, outcomes: q.outcomes,
          feedback_correct: q.feedback_correct, feedback_incorrect: q.feedback_incorrect, hints: q.hints
        };
        if (q.kind === 'single' || q.kind === 'multiple') { out.choices = q.choices; }
        if (q.kind === 'multiple') { out.partial_credit = q.partial_credit; }
        if (q.kind === 'numeric') {
          out.answer = q.answer;
          out.tolerance = q.tolerance === null ? 0 : q.tolerance;
          out.tolerance_percent = q.tolerance_percent;
        }
        if (q.kind === 'text') {
          out.accepted = q.accepted;
          out.regex = q.regex;
          out.case_sensitive = q.case_sensitive;
        }
        return out;
      })
    };
  }

  /* Where to show a content error: the question or outcome list its path names, else under the form. */
  function errorTarget(body) {
    var path = body.path || '';
    if (body.field !== 'content') {
      return root.querySelector('[data-error-for="' + body.field + '"]');
    }
    var byIndex = /^questions\[(\d+)\]/.exec(path);
    var byId = /^question\[(.*?)\]/.exec(path);
    var index = byIndex ? Number(byIndex[1]) : -1;
    if (byId) {
      index = content.questions.map(function (q) { return q.id; }).indexOf(byId[1]);
    }
    var slot = index >= 0 ? root.querySelector('[data-error-for="question:' + index + '"]') : null;
    if (!slot && /^outcome/.test(path)) { slot = root.querySelector('[data-error-for="outcomes"]'); }
    return slot || root.querySelector('[data-error-for="content"]');
  }

  function clearErrors() {
    Array.prototype.forEach.call(root.querySelectorAll('[data-error-for]'), function (slot) {
      slot.textContent = '';
    });
    Array.prototype.forEach.call(form.elements, function (input) { input.removeAttribute('aria-invalid'); });
  }

  function showError(body) {
    if (body.field === 'olx') { olxDetails.open = true; }
    var slot = errorTarget(body) || status;
    slot.textContent = body.error;
    var input = form.elements[body.field];
    if (input && input.setAttribute) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } else if (slot.scrollIntoView) {
      slot.scrollIntoView({block: 'center'});
    }
  }

  olxDetails.addEventListener('toggle', function () { editor.hidden = olxDetails.open; });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearErrors();
    status.textContent = gettext('Saving...');
    notify('save', {state: 'start'});
    var payload = {
      display_name: form.elements.display_name.value,
      max_attempts: form.elements.max_attempts.value,
      weight: form.elements.weight.value,
      show_feedback: form.elements.show_feedback.checked ? 'true' : 'false',
      microcredential: form.elements.microcredential.value
    };
    if (olxDetails.open) {
      payload.olx = form.elements.olx.value;
    } else {
      payload.content = cleaned();
    }
    common.postJSON(runtime.handlerUrl(root, 'studio_submit'), payload).then(function (reply) {
      if (reply.ok) {
        content = reply.body.content;
        form.elements.olx.value = reply.body.olx;
        render();
        status.textContent = gettext('Saved.');
        notify('save', {state: 'end'});
      } else {
        status.textContent = '';
        showError(reply.body);
        notify('error', {title: gettext('Could not save'), message: reply.body.error});
      }
    });
  });

  root.querySelector('.mv-cancel').addEventListener('click', function () { notify('cancel', {}); });
  render();
}
