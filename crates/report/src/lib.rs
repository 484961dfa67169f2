//! Rendering and markers.
