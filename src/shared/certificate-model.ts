import { z } from 'zod'

/** The facts of an X.509 certificate a person checks. */
export const certificateFactsSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  /** DNS names and IP addresses it is valid for. */
  altNames: z.array(z.string()),
  validFrom: z.string(),
  validTo: z.string(),
  /** SHA-256 of the DER form, colon-separated upper-case hex (as `openssl x509 -fingerprint -sha256` prints). */
  fingerprint256: z.string()
})
/** Certificate facts. */
export type CertificateFacts = z.infer<typeof certificateFactsSchema>

/** The certificate a TLS server serves. */
export const certificateInfoSchema = certificateFactsSchema.extend({
  /** generated: self-signed, made at start; provided: the user's PEM. */
  source: z.enum(['generated', 'provided']),
  /** A PEM file of the certificate the lab wrote for clients to trust; null when it could not be written. */
  certPath: z.string().nullable(),
  /** Shell commands that trust this certificate. */
  trustCommands: z.array(z.string())
})
/** The certificate a TLS server serves. */
export type CertificateInfo = z.infer<typeof certificateInfoSchema>
