// The book's own probe component, run in the Runner by
// `cargo xtask tutorial --runner`. Each path shows one behaviour; the probes
// that call it are in data/probes/probes.toml. Plain JavaScript with no
// imports, so it builds against the Runner's world with every import removed.

let calls = 0;

// UTF-8 without TextEncoder, which the engine may not provide.
function utf8(text) {
  const raw = unescape(encodeURIComponent(text));
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out;
}

function decode(bytes) {
  let raw = '';
  for (let i = 0; i < bytes.length; i += 1) raw += String.fromCharCode(bytes[i]);
  try {
    return decodeURIComponent(escape(raw));
  } catch (_) {
    return raw;
  }
}

function reply(status, value) {
  return {
    status,
    headers: [{ name: 'content-type', value: 'application/json' }],
    body: utf8(JSON.stringify(value)),
  };
}

function param(query, name) {
  for (const pair of query.split('&')) {
    const [k, v] = pair.split('=');
    if (k === name) return decodeURIComponent(v || '');
  }
  return '';
}

export function handler(request) {
  calls += 1;
  const url = request.http.url;
  const cut = url.indexOf('?');
  const path = cut < 0 ? url : url.slice(0, cut);
  const query = cut < 0 ? '' : url.slice(cut + 1);
  const body = request.http.body;
  switch (path) {
    case '/echo':
      return reply(200, {
        contextKeys: Object.keys(request.context),
        context: request.context,
        method: request.http.method,
        url,
        headers: request.http.headers,
        bodyPresent: body !== undefined && body !== null,
        bodyText: body == null ? null : decode(body),
        bodyTag: body == null ? null : Object.prototype.toString.call(body),
        bodyIsInstanceOfUint8Array: body instanceof Uint8Array,
      });
    case '/counter':
      return reply(200, { calls });
    case '/clock':
      return reply(200, { now: Date.now(), random: [Math.random(), Math.random()] });
    case '/loop':
      for (;;) {
        calls += 1;
      }
    case '/alloc': {
      const mb = Number(param(query, 'mb'));
      const kept = [];
      for (let i = 0; i < mb; i += 1) {
        const block = new Uint8Array(1024 * 1024);
        block[i % block.length] = 1;
        kept.push(block);
      }
      return reply(200, { allocatedMb: kept.length });
    }
    case '/throw':
      throw new Error('probe: thrown on purpose');
    case '/empty':
      return { status: 204, headers: [] };
    case '/no-headers':
      return { status: 200 };
    case '/repeated-headers':
      return {
        status: 200,
        headers: [
          { name: 'x-a', value: '1' },
          { name: 'x-a', value: '2' },
          { name: 'set-cookie', value: 'probe=1' },
        ],
      };
    case '/status':
      return reply(Number(param(query, 'code')), { asked: param(query, 'code') });
    case '/stdio':
      console.log('probe: a line on stdout');
      console.error('probe: a line on stderr');
      return reply(200, { printed: true });
    default:
      return reply(404, { error: 'not_found', path });
  }
}
