// Calls to the REST API from the pages: session cookie, CSRF header, and the one error shape
// ({code, message, fields, current}) turned into an ApiError the caller can explain.

export class ApiError extends Error {
  constructor(status, body) {
    const data = body && typeof body === "object" ? body : {};
    super(data.message || `The server answered ${status}.`);
    this.status = status;
    this.code = data.code || (status === 0 ? "network" : "error");
    this.fields = data.fields || {};
    this.current = data.current || null;
  }

  /** True for a conflict the page can recover from by taking the server's current state. */
  get isConflict() {
    return this.status === 409;
  }
}

/** The CSRF token the page was rendered with (a <meta name="csrf-token">). */
export function csrfToken(doc = globalThis.document) {
  const meta = doc && doc.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

/**
 * Send one request to the API and return its JSON body (null for 204).
 * Throws ApiError for any non-2xx answer and for a network failure (status 0).
 */
export async function request(method, url, body, { fetchImpl = globalThis.fetch, csrf } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrf === undefined ? csrfToken() : csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetchImpl(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (error) {
    throw new ApiError(0, { message: `The server could not be reached (${error.message}).` });
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
