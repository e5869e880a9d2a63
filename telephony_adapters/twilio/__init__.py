"""Twilio Programmable Voice: the voice webhook and status callbacks, signature-checked."""
