# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qsafe_views: the operator's pictures (network with slices, provisioning timeline, Fig. 6
histograms) drawn with matplotlib from the registry, the topology and the benchmark's series.
Development and controller side only; nothing here ships to a target. See docs/views.md."""
