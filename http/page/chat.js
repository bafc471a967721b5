// hfd's chat page (docs/http-api.md, "The chat page"). It lists the models this daemon
// can serve, chats with one through the OpenAI-compatible API (server-sent events read
// from fetch's body stream), stops an answer by aborting its fetch (the daemon cancels
// the generation when the connection closes), and shows the resident models from the
// Ollama-compatible /api/ps. No framework and nothing from elsewhere, so it works offline
// under a Content-Security-Policy that allows only this origin; text from the daemon is
// only ever set as text (textContent or text nodes), never parsed as HTML.
'use strict';

(() => {
  const byId = (id) => document.getElementById(id);
  // The log scrolls inside its own box, never the page: the message field and the Stop
  // button stay where they are while an answer streams.
  const scrollLogToEnd = () => {
    const log = byId('log');
    log.scrollTop = log.scrollHeight;
  };
  // A turn of the event loop for input and drawing. A stream read whose data has already
  // arrived resolves without one, so a stream faster than the page could otherwise hold the
  // page until it ends, Stop and Escape included. A message, unlike a timer, is not slowed
  // down in a background tab.
  const turns = new MessageChannel();
  const nextTurn = () => new Promise((resolve) => {
    turns.port1.onmessage = () => resolve();
    turns.port2.postMessage(null);
  });
  const frameMs = 16;
  const keyStorage = 'hfd.apiKey';
  const modelStorage = 'hfd.model';
  const psRefreshMs = 15000;

  let conversation = [];  // the {role, content} turns sent with the next message
  let answering = null;     // the AbortController of the answer being streamed

  function requestHeaders(extra) {
    const headers = Object.assign({}, extra);
    const key = byId('key').value.trim();
    if (key) headers.Authorization = `Bearer ${key}`;
    return headers;
  }

  // An Error carrying the API's own message (OpenAI's {"error": {"message"}} or Ollama's
  // {"error": "..."}), which says what to do; else the HTTP status.
  async function apiError(response) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const error = (await response.json()).error;
      if (typeof error === 'string') message = error;
      else if (error && error.message) message = error.message;
    } catch (_) {
      // Not JSON: the status is all there is.
    }
    return new Error(message);
  }

  async function getJson(path) {
    const response = await fetch(path, {headers: requestHeaders({})});
    if (!response.ok) throw await apiError(response);
    return response.json();
  }

  function showError(message) {
    byId('error').textContent = message;
  }

  function untilText(expiresAt) {
    const seconds = (Date.parse(expiresAt) - Date.now()) / 1000;
    // Busy and kept-forever models get Ollama's far-future time.
    if (!Number.isFinite(seconds) || seconds > 365 * 86400) return 'not scheduled';
    if (seconds < 60) return 'within a minute';
    return `in ${Math.round(seconds / 60)} min`;
  }

  function showPs(models) {
    const rows = models.map((m) => {
      const row = document.createElement('tr');
      const cells = [
        [m.name, ''],
        [m.backend || '', ''],
        [`${(m.size / 1048576).toFixed(1)} MiB`, 'number'],
        [String(m.context_length ?? ''), 'number'],
        [untilText(m.expires_at), ''],
      ];
      for (const [text, className] of cells) {
        const cell = row.insertCell();
        cell.textContent = text;
        cell.className = className;
      }
      return row;
    });
    byId('ps').tBodies[0].replaceChildren(...rows);
    byId('ps').hidden = rows.length === 0;
    byId('ps-empty').hidden = rows.length !== 0;
  }

  async function refreshPs() {
    try {
      showPs((await getJson('/api/ps')).models);
    } catch (error) {
      showError(error.message);
    }
  }

  // Cached models (/v1/models) and resident ones (/api/ps), resident first.
  async function refreshModels() {
    const select = byId('model');
    const wanted = select.value || sessionStorage.getItem(modelStorage) || '';
    try {
      const [models, ps] = await Promise.all([getJson('/v1/models'), getJson('/api/ps')]);
      const resident = new Set(ps.models.map((m) => m.name));
      const ids = models.data.map((m) => m.id);
      for (const name of resident) {
        if (!ids.includes(name)) ids.push(name);
      }
      ids.sort((a, b) => Number(resident.has(b)) - Number(resident.has(a)) || a.localeCompare(b));
      select.replaceChildren(
          ...ids.map((id) => new Option(resident.has(id) ? `${id} (resident)` : id, id)));
      if (ids.includes(wanted)) select.value = wanted;
      showPs(ps.models);
      showError(ids.length ? '' : 'No model is cached yet: pull one with hfctl pull ORG/NAME.');
    } catch (error) {
      showError(error.message);
    }
  }

  function addMessage(role, text) {
    const element = document.createElement('div');
    element.className = `message ${role}`;
    const label = document.createElement('span');
    label.className = 'role';
    label.textContent = role === 'user' ? 'You' : byId('model').value;
    const body = document.createElement('div');
    body.className = 'text';
    body.textContent = text;
    element.append(label, body);
    byId('log').append(element);
    scrollLogToEnd();
    return {element, body};
  }

  // The JSON payloads of a server-sent event stream, up to `data: [DONE]`.
  async function* eventData(stream) {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for (;;) {
        const {value, done} = await reader.read();
        if (done) return;
        pending += decoder.decode(value, {stream: true});
        for (let end; (end = pending.indexOf('\n\n')) >= 0;) {
          const event = pending.slice(0, end);
          pending = pending.slice(end + 2);
          for (const line of event.split('\n')) {
            if (!line.startsWith('data:')) continue;
            const data = line.slice(5).trim();
            if (data === '[DONE]') return;
            yield JSON.parse(data);
          }
        }
      }
    } finally {
      reader.releaseLock();
    }
  }

  // Tokens/s counts from sending the message to the last token: what the reader waited.
  function answeredText(usage, started, firstAt, endedAt) {
    const parts = [];
    if (usage) {
      const seconds = (endedAt - started) / 1000;
      const rate = usage.completion_tokens / seconds;
      parts.push(`${usage.completion_tokens} tokens in ${seconds.toFixed(2)} s ` +
                 `(${rate.toFixed(1)} tokens/s)`);
    }
    if (firstAt) parts.push(`first token after ${Math.round(firstAt - started)} ms`);
    return parts.join(' · ');
  }

  function setAnswering(controller) {
    answering = controller;
    byId('send').disabled = controller !== null;
    byId('stop').disabled = controller === null;
    byId('log').setAttribute('aria-busy', String(controller !== null));
  }

  function requestBody(model, messages) {
    const body = {model, messages, stream: true, stream_options: {include_usage: true}};
    const temperature = byId('temperature').value;
    if (temperature !== '') body.temperature = Number(temperature);
    const maxTokens = byId('max-tokens').value;
    if (maxTokens !== '') body.max_tokens = Number(maxTokens);
    return body;
  }

  async function send() {
    const prompt = byId('prompt');
    const text = prompt.value.trim();
    const model = byId('model').value;
    if (!text || answering) return;
    if (!model) {
      showError('Choose a model first (Refresh models lists them).');
      return;
    }
    showError('');
    byId('stats').textContent = '';
    const turn = {role: 'user', content: text};
    // "New chat" replaces the conversation: an answer still ending adds to the old one.
    const history = conversation;
    const body = requestBody(model, [...history, turn]);
    const question = addMessage('user', text);
    const answer = addMessage('assistant', '');
    prompt.value = '';
    const controller = new AbortController();
    setAnswering(controller);
    const started = performance.now();
    let firstAt = 0;
    let content = '';
    let usage = null;
    // The answer is drawn once a frame, by appending what arrived since: drawing every token
    // (a whole new text and a layout each) costs more per token the longer the answer gets.
    let shown = 0;
    let drawPending = false;
    const draw = () => {
      drawPending = false;
      if (shown === content.length) return;
      answer.body.append(content.slice(shown));
      shown = content.length;
      scrollLogToEnd();
    };
    let turnAt = performance.now();
    try {
      const response = await fetch('/v1/chat/completions', {
        method: 'POST',
        headers: requestHeaders({'Content-Type': 'application/json'}),
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (!response.ok) throw await apiError(response);
      for await (const event of eventData(response.body)) {
        if (event.error) throw new Error(event.error.message);
        if (event.usage) usage = event.usage;
        const delta = event.choices && event.choices.length ? event.choices[0].delta : null;
        if (delta && delta.content) {
          firstAt = firstAt || performance.now();
          content += delta.content;
          if (!drawPending) {
            drawPending = true;
            requestAnimationFrame(draw);
          }
        }
        if (performance.now() - turnAt >= frameMs) {
          await nextTurn();
          turnAt = performance.now();
        }
      }
      draw();
      history.push(turn, {role: 'assistant', content});
      byId('stats').textContent = answeredText(usage, started, firstAt, performance.now());
    } catch (error) {
      if (error.name === 'AbortError') {
        // What was shown stays part of the conversation, as the reader saw it.
        draw();
        history.push(turn, {role: 'assistant', content});
        const seconds = ((performance.now() - started) / 1000).toFixed(2);
        byId('stats').textContent = `Stopped after ${seconds} s.`;
      } else {
        question.element.classList.add('failed');
        answer.element.remove();
        prompt.value = text;  // to send again once the cause is fixed
        showError(error.message);
      }
    } finally {
      setAnswering(null);
      prompt.focus();
      refreshPs();
    }
  }

  function stop() {
    if (answering) answering.abort();
  }

  function start() {
    const key = byId('key');
    key.value = sessionStorage.getItem(keyStorage) || '';
    key.addEventListener('change', () => {
      if (key.value.trim()) sessionStorage.setItem(keyStorage, key.value.trim());
      else sessionStorage.removeItem(keyStorage);
      refreshModels();
    });
    byId('model').addEventListener('change', (e) => {
      sessionStorage.setItem(modelStorage, e.target.value);
    });
    byId('settings').addEventListener('submit', (e) => {
      e.preventDefault();
      refreshModels();
    });
    byId('refresh').addEventListener('click', refreshModels);
    byId('refresh-ps').addEventListener('click', refreshPs);
    byId('composer').addEventListener('submit', (e) => {
      e.preventDefault();
      send();
    });
    byId('prompt').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        send();
      }
    });
    byId('stop').addEventListener('click', stop);
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') stop();
    });
    byId('clear').addEventListener('click', () => {
      stop();
      conversation = [];
      byId('log').replaceChildren();
      byId('stats').textContent = '';
      byId('prompt').focus();
    });
    setInterval(() => {
      if (document.visibilityState === 'visible') refreshPs();
    }, psRefreshMs);
    refreshModels();
  }

  start();
})();
