/**
 * node-forge's ASN.1/DER codec, loaded on its own: `node-forge/lib/asn1.js` requires only
 * forge's core, util, baseN and oids files, where `node-forge` loads all of forge (TLS, PKCS#12,
 * ciphers, RSA in JavaScript: ~20 ms of start-up for nodeadm init). The only importer of
 * node-forge in nodeadm; x509.ts builds certificates with it.
 */
import forgeAsn1 from 'node-forge/lib/asn1.js';

/** A "binary string": one byte per UTF-16 code unit (char codes 0–255), forge's byte type. */
export type Bytes = string;

/** A decoded or to-be-encoded ASN.1 element. */
export interface Asn1 {
  tagClass: number;
  type: number;
  constructed: boolean;
  composed: boolean;
  /** The children when constructed, else the content bytes. */
  value: Bytes | Asn1[];
}

interface ByteBuffer {
  getBytes(count?: number): Bytes;
}

interface FromDerOptions {
  strict?: boolean;
  parseAllBytes?: boolean;
  /** false: a BIT STRING's contents stay raw bytes (not decoded as nested ASN.1). */
  decodeBitStrings?: boolean;
}

/** The part of forge's asn1 module nodeadm uses. */
interface Asn1Module {
  Class: { UNIVERSAL: 0x00; APPLICATION: 0x40; CONTEXT_SPECIFIC: 0x80; PRIVATE: 0xc0 };
  Type: {
    BOOLEAN: 1;
    INTEGER: 2;
    BITSTRING: 3;
    OCTETSTRING: 4;
    NULL: 5;
    OID: 6;
    UTF8: 12;
    SEQUENCE: 16;
    SET: 17;
    PRINTABLESTRING: 19;
    IA5STRING: 22;
    UTCTIME: 23;
    GENERALIZEDTIME: 24;
  };
  create(tagClass: number, type: number, constructed: boolean, value: Bytes | Asn1[]): Asn1;
  toDer(obj: Asn1): ByteBuffer;
  fromDer(bytes: Bytes, options?: FromDerOptions): Asn1;
  oidToDer(oid: string): ByteBuffer;
  derToOid(bytes: Bytes): string;
  integerToDer(n: number): ByteBuffer;
  dateToUtcTime(date: Date): Bytes;
  dateToGeneralizedTime(date: Date): Bytes;
}

export const asn1 = forgeAsn1 as Asn1Module;
