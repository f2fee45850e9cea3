#version 330 core
// Thick polylines: anti-aliased edges from the interpolated side coordinate, optional dashes
// measured in pixels along the line.
in float v_side;
in float v_dist;
uniform vec4 u_color;
uniform float u_width;  // pixels
uniform float u_dash;   // dash period in pixels, 0 = solid
out vec4 frag;

void main() {
    float half_width = 0.5 * u_width + 1.0;
    float from_centre = abs(v_side) * half_width;
    float alpha = clamp(0.5 * u_width + 0.5 - from_centre, 0.0, 1.0);
    if (u_dash > 0.0 && mod(v_dist, u_dash) > 0.6 * u_dash) discard;
    frag = vec4(u_color.rgb, u_color.a * alpha);
}
