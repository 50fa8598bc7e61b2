"""Recordings as rtpengine writes them (pcap, Ethernet frames of IPv4/UDP/RTP), made by
the tests: two directions of G.711 at 20 ms a packet."""

import struct

from hotline.core.telephony import audio


def rtp_frame(source_port: int, sequence: int, payload: bytes, payload_type: int) -> bytes:
    rtp = struct.pack(">BBHII", 0x80, payload_type, sequence, sequence * 160, 0x1234) + payload
    udp = struct.pack(">HHHH", source_port, 40000, 8 + len(rtp), 0) + rtp
    ip = struct.pack(
        ">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\x7f\0\0\1", b"\x7f\0\0\1"
    )
    return b"\0" * 12 + b"\x08\x00" + ip + udp


def pcap(seconds: float, payload_type: int = audio.PCMU, start: float = 1_795_000_000.0) -> bytes:
    """A call of `seconds`, both directions; the caller's bytes 0x00 (loud), the agent's 0xFF
    (silence in μ-law)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for n in range(int(seconds * 50)):
        at = start + n * 0.02
        for port, byte in ((31000, 0x00), (32000, 0xFF)):
            frame = rtp_frame(port, n, bytes([byte]) * 160, payload_type)
            whole, fraction = int(at), int(round((at - int(at)) * 1e6))
            out.append(struct.pack("<IIII", whole, fraction, len(frame), len(frame)) + frame)
    return b"".join(out)
