"""Tests of the qbXML object registry and its generator."""
