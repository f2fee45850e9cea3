#version 330 core
// Round markers (start point, current-time points) as point sprites.
layout(location = 0) in vec2 a_pos;
uniform vec4 u_view;  // data -> NDC
uniform float u_size; // diameter, pixels
void main() {
    gl_Position = vec4(a_pos * u_view.xy + u_view.zw, 0.0, 1.0);
    gl_PointSize = u_size;
}
