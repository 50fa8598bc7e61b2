"""A call's recording, as rtpengine writes it (a pcap of the call's RTP, both directions),
turned into a WAV a browser plays: G.711 (PCMU, PCMA) decoded, the caller's direction on the
left channel and the agent's on the right, each packet at its time of arrival."""

import struct
from dataclasses import dataclass

RATE = 8000  # G.711's sample rate
PCMU, PCMA = 0, 8  # RTP payload types
_PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">"}
_PCAP_MAGIC_NS = {b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}
LINK_ETHERNET, LINK_RAW = 1, 101
MAX_SECONDS = 4 * 3600  # a recording longer than this is cut (a wrong timestamp)


def _ulaw(byte: int) -> int:
    byte = ~byte & 0xFF
    sign, exponent, mantissa = byte & 0x80, (byte >> 4) & 0x07, byte & 0x0F
    sample = ((mantissa << 3) + 0x84) << exponent
    sample -= 0x84
    return -sample if sign else sample


def _alaw(byte: int) -> int:
    byte ^= 0x55
    sign, exponent, mantissa = byte & 0x80, (byte >> 4) & 0x07, byte & 0x0F
    sample = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return sample if sign else -sample


ULAW = tuple(_ulaw(b) for b in range(256))
ALAW = tuple(_alaw(b) for b in range(256))


@dataclass(frozen=True)
class RtpPacket:
    """One RTP packet's direction (source address and port), arrival and G.711 payload."""

    source: tuple[bytes, int]
    arrival: float  # seconds
    payload_type: int
    payload: bytes


def rtp_packets(pcap: bytes) -> list[RtpPacket]:
    """The G.711 RTP packets of a pcap (Ethernet or raw IPv4 frames); others are skipped."""
    magic = pcap[:4]
    order = _PCAP_MAGIC.get(magic) or _PCAP_MAGIC_NS.get(magic)
    if order is None or len(pcap) < 24:
        raise ValueError("not a pcap file")
    divisor = 1e9 if magic in _PCAP_MAGIC_NS else 1e6
    link = struct.unpack(order + "I", pcap[20:24])[0]
    packets, offset = [], 24
    while offset + 16 <= len(pcap):
        seconds, fraction, length, _original = struct.unpack(
            order + "IIII", pcap[offset : offset + 16]
        )
        frame = pcap[offset + 16 : offset + 16 + length]
        offset += 16 + length
        packet = _rtp(frame, link, seconds + fraction / divisor)
        if packet is not None:
            packets.append(packet)
    return packets


def _rtp(frame: bytes, link: int, arrival: float) -> RtpPacket | None:
    if link == LINK_ETHERNET:
        if frame[12:14] != b"\x08\x00":
            return None
        frame = frame[14:]
    elif link != LINK_RAW:
        return None
    if len(frame) < 20 or frame[0] >> 4 != 4 or frame[9] != 17:  # IPv4, UDP
        return None
    ip_header = (frame[0] & 0x0F) * 4
    udp = frame[ip_header:]
    source_port = struct.unpack(">H", udp[0:2])[0]
    rtp = udp[8:]
    if len(rtp) < 12 or rtp[0] >> 6 != 2:
        return None
    payload_type = rtp[1] & 0x7F
    if payload_type not in (PCMU, PCMA):
        return None
    header = 12 + 4 * (rtp[0] & 0x0F)
    if rtp[0] & 0x10 and len(rtp) >= header + 4:  # a header extension
        header += 4 + 4 * struct.unpack(">H", rtp[header + 2 : header + 4])[0]
    payload = rtp[header:]
    if rtp[0] & 0x20 and payload:  # padding
        payload = payload[: -payload[-1]]
    return RtpPacket((frame[12:16], source_port), arrival, payload_type, payload)


def to_wav(packets: list[RtpPacket]) -> bytes:
    """A stereo 16-bit WAV at 8 kHz: the first direction heard on the left, the second on
    the right; silence where a direction sent nothing."""
    if not packets:
        return _wav_bytes(b"", 0)
    start = min(p.arrival for p in packets)
    channels: dict[tuple[bytes, int], int] = {}
    for packet in packets:
        if packet.source not in channels and len(channels) < 2:
            channels[packet.source] = len(channels)
    end = max(p.arrival - start + len(p.payload) / RATE for p in packets)
    frames = min(int(end * RATE) + 1, MAX_SECONDS * RATE)
    samples = [[0] * frames, [0] * frames]
    for packet in packets:
        channel = channels.get(packet.source)
        if channel is None:
            continue
        table = ULAW if packet.payload_type == PCMU else ALAW
        first = int(round((packet.arrival - start) * RATE))
        track = samples[channel]
        for index, byte in enumerate(packet.payload, first):
            if index >= frames:
                break
            track[index] = table[byte]
    interleaved = [value for pair in zip(samples[0], samples[1], strict=True) for value in pair]
    return _wav_bytes(struct.pack(f"<{len(interleaved)}h", *interleaved), frames)


def _wav_bytes(data: bytes, frames: int) -> bytes:
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(data),
        b"WAVE",
        b"fmt ",
        16,
        1,
        2,
        RATE,
        RATE * 4,
        4,
        16,
        b"data",
        len(data),
    )
    return header + data


def wav_seconds(wav: bytes) -> float:
    """A WAV's length in seconds (from its header), for tests and the records page."""
    channels, rate = struct.unpack("<HI", wav[22:28])
    bits = struct.unpack("<H", wav[34:36])[0]
    size = struct.unpack("<I", wav[40:44])[0]
    return size / (rate * channels * bits / 8)
