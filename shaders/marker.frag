#version 330 core
// Round markers: a filled disc with a ring, anti-aliased.
uniform vec4 u_fill;
uniform vec4 u_ring;
uniform float u_size;    // diameter, pixels
uniform float u_ring_px; // ring width, pixels
out vec4 frag;
void main() {
    float r = length(gl_PointCoord * 2.0 - 1.0) * 0.5 * u_size;
    float outer = 0.5 * u_size - 0.5;
    float alpha = clamp(outer - r + 0.5, 0.0, 1.0);
    if (alpha <= 0.0) discard;
    float ring = clamp(r - (outer - u_ring_px) + 0.5, 0.0, 1.0);
    vec4 c = mix(u_fill, u_ring, ring);
    frag = vec4(c.rgb, c.a * alpha);
}
