"""codtool: checks, tracks and reconciles cash-on-delivery orders for logistics operators."""

__version__ = "0.1.0"
