"""DDEX DSR flat-file reading (Part 1 §6–7, Part 8 record types)."""
