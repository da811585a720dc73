// The book's probe of one host import: it imports only
// alga:extension/logging, to show whether a component with a single host
// import links in the Runner at the pin.
import { logInfo } from 'alga:extension/logging';

export function handler(request) {
  logInfo(`probe-logging: ${request.http.url}`);
  return { status: 204, headers: [] };
}
