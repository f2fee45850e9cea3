#version 330 core
// Thick anti-aliased polylines (trajectories, orbits, arrows): each point is emitted twice
// (side = -1, +1) as a triangle strip and pushed out along the miter in pixel space.
layout(location = 0) in vec2 a_prev;
layout(location = 1) in vec2 a_cur;
layout(location = 2) in vec2 a_next;
layout(location = 3) in float a_side;  // -1 or +1
layout(location = 4) in float a_dist;  // arc length from the start, data units
uniform vec4 u_view;                   // data -> NDC
uniform vec2 u_viewport;               // pixels
uniform float u_width;                 // line width, pixels
uniform float u_px_per_unit;           // pixels per data unit (equal aspect)
out float v_side;
out float v_dist;

vec2 toPixels(vec2 d) {
    vec2 ndc = d * u_view.xy + u_view.zw;
    return (ndc * 0.5 + 0.5) * u_viewport;
}

void main() {
    vec2 p = toPixels(a_cur);
    vec2 d1 = p - toPixels(a_prev);
    vec2 d2 = toPixels(a_next) - p;
    if (dot(d1, d1) < 1e-8) d1 = d2;
    if (dot(d2, d2) < 1e-8) d2 = d1;
    if (dot(d1, d1) < 1e-8) { d1 = vec2(1.0, 0.0); d2 = d1; }
    vec2 t1 = normalize(d1);
    vec2 t2 = normalize(d2);
    vec2 n1 = vec2(-t1.y, t1.x);
    vec2 tsum = t1 + t2;
    vec2 tangent = dot(tsum, tsum) < 1e-6 ? t1 : normalize(tsum);
    vec2 miter = vec2(-tangent.y, tangent.x);
    float len = 1.0 / max(dot(miter, n1), 0.4);
    float half_width = 0.5 * u_width + 1.0;  // one extra pixel for the anti-aliased edge
    vec2 pos = p + miter * (a_side * half_width * len);
    v_side = a_side;
    v_dist = a_dist * u_px_per_unit;
    gl_Position = vec4(pos / u_viewport * 2.0 - 1.0, 0.0, 1.0);
}
