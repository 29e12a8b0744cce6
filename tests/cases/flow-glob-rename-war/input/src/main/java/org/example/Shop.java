package org.example; public class Shop {}
