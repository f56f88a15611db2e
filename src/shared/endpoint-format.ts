// The one place that writes `host:port`: IPv6 addresses go in brackets so the port stays unambiguous.

/** An address as it stands before `:port`: IPv6 in brackets (`[::1]`), anything else as is. */
export function bracketHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}

/** `127.0.0.1:8080` or `[::1]:8080`. */
export function hostPort(address: string, port: number | string): string {
  return `${bracketHost(address)}:${port}`
}
