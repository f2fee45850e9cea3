#version 330 core
// Landscape heatmap: one quad covering the sampled box of the loss grid (data coordinates).
layout(location = 0) in vec2 a_corner;  // (0,0) .. (1,1)
uniform vec4 u_box;                     // x0, y0, x1, y1 of the grid, data units
uniform vec4 u_view;                    // data -> NDC: ndc = data * u_view.xy + u_view.zw
out vec2 v_uv;

void main() {
    vec2 p = mix(u_box.xy, u_box.zw, a_corner);
    v_uv = a_corner;
    gl_Position = vec4(p * u_view.xy + u_view.zw, 0.0, 1.0);
}
