# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qsafe_kms: the lab's key management entities (KMEs).

An ETSI GS QKD 014 v1.1.1 key delivery service per site with QKD (simulated sections,
trusted-node one-time-pad relay), quantum-resistant (ML-KEM, sntrup761), Diffie-Hellman
(X25519) and hybrid key sources, plus the per-channel key scripts that load the keys into
the encryption cards. See docs/kms.md.
"""
