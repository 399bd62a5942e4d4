package io.switchboard.webconsole.impl;

import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.TransportInfo;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Switchboard page of the Felix Web Console ({@code /system/console/switchboard}): a plain
 * servlet service with the console's label and title, so that this bundle needs nothing of the
 * console's plugin API and is not refreshed with it. The console draws its frame around what a GET
 * writes; a POST (drain, enable) comes here directly and is answered with a redirect to the page.
 * Every platform service is an optional dynamic reference: while its bundle is updated the page
 * says so instead of going away.
 */
@Component(service = Servlet.class, property = {
        "felix.webconsole.label=switchboard",
        "felix.webconsole.title=Switchboard",
        "felix.webconsole.category=Switchboard"})
public class SwitchboardPlugin extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TransportInfo transport;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FrontendService frontends;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ClusterDirectory clusters;

    private final transient ActionGuard guard = new ActionGuard();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String page = new SwitchboardPage(new PlatformServices(transport, frontends, clusters), guard.token(),
                request.getParameter("done")).html();
        response.getWriter().write(page);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String outcome = guard.refusal(request.getParameter("token"), request.getHeader("Origin"), request.getScheme(),
                request.getHeader("Host"));
        if (outcome == null) {
            outcome = act(request.getParameter("action"), request.getParameter("endpoint"));
        }
        // Post/redirect/get: a reload does not repeat the action; the outcome is shown once, escaped.
        response.sendRedirect(request.getRequestURI() + "?done=" + URLEncoder.encode(outcome, StandardCharsets.UTF_8));
    }

    private String act(String action, String endpoint) {
        ClusterDirectory c = clusters;
        if (c == null) {
            return "io.switchboard.control is not running (it may be being updated): nothing was done";
        }
        if (endpoint == null || endpoint.isBlank()) {
            return "no endpoint given";
        }
        if ("drain".equals(action)) {
            return c.drain(endpoint);
        }
        if ("enable".equals(action)) {
            return c.enable(endpoint);
        }
        return "unknown action: " + action;
    }
}
