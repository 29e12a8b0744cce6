FROM node:12
WORKDIR /site
RUN echo "<h1>shop</h1>" > index.html
