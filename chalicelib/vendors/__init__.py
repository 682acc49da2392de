"""The verification vendors (Authy, Twilio Verify) behind one small face."""
