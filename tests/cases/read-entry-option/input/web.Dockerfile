FROM nginx:1.17
COPY site/index.html /usr/share/nginx/html/index.html
