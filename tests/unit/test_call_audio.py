"""rtpengine's pcap of a call turned into a stereo WAV a browser plays."""

import struct

import pytest

from hotline.core.telephony import audio
from tests.pcap_files import pcap


def test_g711_tables_match_the_standards_end_points():
    assert audio.ULAW[0xFF] == 0 and audio.ULAW[0x7F] == 0  # μ-law's two zeros
    assert audio.ULAW[0x00] == -32124 and audio.ULAW[0x80] == 32124
    assert audio.ALAW[0xD5] == 8 and audio.ALAW[0x55] == -8
    assert audio.ALAW[0xAA] == 32256 and audio.ALAW[0x2A] == -32256


@pytest.mark.parametrize("payload_type", [audio.PCMU, audio.PCMA])
def test_a_recording_of_three_seconds_plays_three_seconds(payload_type):
    packets = audio.rtp_packets(pcap(3.0, payload_type))
    assert len(packets) == 300 and {p.payload_type for p in packets} == {payload_type}
    wav = audio.to_wav(packets)
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    assert audio.wav_seconds(wav) == pytest.approx(3.0, abs=0.01)
    left, right = struct.unpack("<hh", wav[44 + 4 * 100 : 44 + 4 * 101])
    if payload_type == audio.PCMU:  # the caller's loud bytes left, the agent's silence right
        assert (left, right) == (-32124, 0)


def test_what_is_not_a_pcap_is_refused():
    with pytest.raises(ValueError, match="not a pcap"):
        audio.rtp_packets(b"RIFF....WAVE")
    assert audio.wav_seconds(audio.to_wav([])) == 0
