"""Printed outputs of the assistance app: the Keputusan naming beneficiaries and the
berita acara serah terima of a finished house."""
