// The REST API as the page uses it: the session's bearer token, errors turned into words, and
// server-sent event streams read with fetch (EventSource cannot send the Authorization header).

/** An answer of the API that is not a success: its status and the server's message. */
export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

const KEY = 'hark.session';

/** The logged-in user and token, kept for this browser tab only. */
export const session = {
  load() { try { return JSON.parse(sessionStorage.getItem(KEY)) || {}; } catch { return {}; } },
  get token() { return this.load().token; },
  get user() { return this.load().user; },
  save(token, user) { sessionStorage.setItem(KEY, JSON.stringify({ token, user })); },
  clear() { sessionStorage.removeItem(KEY); },
};

function headers(extra) {
  const h = Object.assign({}, extra);
  if (session.token) h.Authorization = 'Bearer ' + session.token;
  return h;
}

/** Calls METHOD /api/v1PATH. body: an object (sent as JSON) or, with type, a string/Blob.
 *  Resolves to the JSON answer (or text, or the Response with raw); rejects with ApiError. */
export async function api(method, path, { body, type, raw } = {}) {
  const h = headers();
  let payload;
  if (body !== undefined) {
    h['Content-Type'] = type || 'application/json';
    payload = type ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, { method, headers: h, body: payload });
  } catch (e) {
    throw new ApiError(0, 'hark cannot be reached (' + e.message + ')');
  }
  if (!res.ok) {
    let message = 'the server answered ' + res.status + ' ' + res.statusText, field;
    try {
      const j = await res.json();
      if (j.error) { message = j.error.message; field = j.error.field; }
    } catch { /* not JSON: keep the status line */ }
    if (res.status === 401 && path !== '/login') {
      session.clear();
      message = 'your session ended (' + message + '): log in again';
    }
    throw new ApiError(res.status, message, field);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const ct = res.headers.get('content-type') || '';
  return ct.includes('json') ? res.json() : res.text();
}

/** Reads the server-sent events of /api/v1PATH and calls onEvent(name, data) for each; reconnects
 *  after a break (2 s later). Returns a function that stops it. */
export function stream(path, onEvent, onState) {
  const ctl = new AbortController();
  let stopped = false;
  async function run() {
    while (!stopped) {
      try {
        const res = await fetch('/api/v1' + path, { headers: headers({ Accept: 'text/event-stream' }), signal: ctl.signal });
        if (!res.ok) throw new ApiError(res.status, 'event stream: ' + res.status);
        onState && onState('open');
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let name = 'message', data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) name = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (data) { try { onEvent(name, JSON.parse(data)); } catch { onEvent(name, data); } }
          }
        }
      } catch (e) {
        if (stopped) return;
        onState && onState('broken', e);
      }
      if (!stopped) await new Promise(r => setTimeout(r, 2000));
    }
  }
  run();
  return () => { stopped = true; ctl.abort(); };
}

/** Downloads /api/v1PATH (with the token) and hands it to the browser as a file named NAME. */
export async function download(path, name) {
  const res = await api('GET', path, { raw: true });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
